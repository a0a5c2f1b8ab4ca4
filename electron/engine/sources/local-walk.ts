import type { Dirent, Stats } from 'node:fs';
import { StrataError, describeError } from '../../../shared/errors.js';
import type { LocalFs, SyncFs } from './local-fs.js';
import { nameFromBytes } from './raw-names.js';
import { isRestoreScratch } from '../restore/restore-scratch.js';
import { SyncGovernor } from './sync-governor.js';
import type { SourceEntry, WalkItem, WalkOptions } from './types.js';

/** lstat calls kept in flight ahead of the walk inside one directory (they run on libuv's pool). */
const STAT_AHEAD = 32;
const SLASH = Buffer.from('/');

type Kind = 'file' | 'dir' | 'symlink';

/** Where a path lives: `abs` is a Buffer once any name on the way is not valid UTF-8. */
interface Place {
  path: string;
  rawPath: Buffer | undefined;
  abs: string | Buffer;
}

interface Child extends Place {
  /** The type readdir reported, so exclusions are decided before any lstat; undefined if unknown. */
  hint: Kind | undefined;
}

type StatOutcome = { ok: true; stats: Stats } | { ok: false; error: unknown };

/** A listed name, turned into a path (and checked against exclusions) only when its turn is near. */
interface Pending {
  child: Child;
  stat?: Promise<StatOutcome>;
}

interface Frame {
  dir: Place;
  /** Sorted listing; each slot is dropped once handled, so a huge folder frees as it goes. */
  dirents: Array<Dirent<Buffer> | undefined>;
  next: number;
  /** Entries prepared ahead of `next` (null: skipped) while lstat runs asynchronously. */
  ahead: Map<number, Pending | null>;
}

/**
 * Depth-first, pre-order walk under `absRoot`: names sorted bytewise in each directory, a
 * directory's own entry before its children, the root first as ''. Only the listings of the
 * directories on the current branch are held. Symlinks are recorded, never followed; sockets,
 * fifos and devices are skipped; what cannot be read becomes an error item and the walk goes on.
 */
export async function* walkLocal(absRoot: string, fs: LocalFs, opts: WalkOptions = {}): AsyncGenerator<WalkItem> {
  const isExcluded = opts.isExcluded ?? (() => false);
  const rootStats = await statRoot(absRoot, fs);
  const root: Place = { path: '', rawPath: undefined, abs: absRoot };
  const rootPrefix = absRoot.endsWith('/') ? absRoot : `${absRoot}/`;
  const rootPrefixBytes = Buffer.from(rootPrefix);

  const childOf = (parent: Place, name: Buffer): Place => {
    const decoded = nameFromBytes(name);
    const path = parent.path === '' ? decoded.name : `${parent.path}/${decoded.name}`;
    if (parent.rawPath === undefined && decoded.valid) {
      return { path, rawPath: undefined, abs: rootPrefix + path };
    }
    const parentBytes = parent.rawPath ?? Buffer.from(parent.path, 'utf8');
    const rawPath = parent.path === '' ? Buffer.from(name) : Buffer.concat([parentBytes, SLASH, name]);
    return { path, rawPath, abs: Buffer.concat([rootPrefixBytes, rawPath]) };
  };

  const list = async (dir: Place): Promise<Frame> => {
    const options = { withFileTypes: true, encoding: 'buffer' } as const;
    let dirents: Array<Dirent<Buffer> | undefined>;
    if (fs.sync !== undefined && governor.useSync) {
      // Same rule as lstat: blocking while the disk answers fast (a listing through the pool costs more).
      await governor.pace();
      const sync = fs.sync;
      dirents = governor.run(() => sync.readdir(dir.abs, options));
    } else {
      dirents = await fs.readdir(dir.abs, options);
    }
    dirents.sort((a, b) => Buffer.compare(a!.name, b!.name));
    return { dir, dirents, next: 0, ahead: new Map() };
  };

  /** null for what the walk skips: special files, and what is excluded by the type readdir gave. */
  const prepare = (frame: Frame, index: number): Pending | null => {
    const d = frame.dirents[index]!;
    frame.dirents[index] = undefined;
    const hint = kindOfDirent(d);
    if (hint === null) return null;
    // A restore into this folder that was killed left its temp folder here; it is not the user's.
    if (frame.dir.path === '' && hint === 'dir' && isRestoreScratch(d.name.toString('latin1'))) return null;
    const child: Child = { ...childOf(frame.dir, d.name), hint };
    if (hint !== undefined && isExcluded(child.path, hint === 'dir')) return null;
    return { child };
  };

  const governor = new SyncGovernor(fs.sync !== undefined);
  const stack: Frame[] = [];
  try {
    stack.push(await list(root));
  } catch (err) {
    yield { type: 'error', path: '', error: describeError(err) };
    return;
  }
  yield entryOf('dir', root, rootStats);

  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.next >= frame.dirents.length) {
      stack.pop();
      continue;
    }
    const index = frame.next++;
    let pending: Pending | null;
    if (frame.ahead.has(index)) {
      pending = frame.ahead.get(index) ?? null;
      frame.ahead.delete(index);
    } else {
      pending = prepare(frame, index);
    }
    if (pending === null) continue;
    const child = pending.child;
    let outcome: StatOutcome;
    if (fs.sync !== undefined && governor.useSync && pending.stat === undefined) {
      await governor.pace();
      const sync = fs.sync;
      outcome = governor.run(() => lstatSyncOutcome(sync, child.abs));
    } else {
      const end = Math.min(index + STAT_AHEAD, frame.dirents.length);
      for (let i = index + 1; i < end; i++) {
        if (frame.ahead.has(i)) continue;
        const next = prepare(frame, i);
        if (next !== null) next.stat = lstatOutcome(fs, next.child.abs);
        frame.ahead.set(i, next);
      }
      outcome = await (pending.stat ?? lstatOutcome(fs, child.abs));
    }
    if (!outcome.ok) {
      if (!vanished(outcome.error)) yield { type: 'error', path: child.path, error: describeError(outcome.error) };
      continue;
    }
    const kind = kindOfStats(outcome.stats);
    if (kind === undefined) continue;
    if (kind !== child.hint && isExcluded(child.path, kind === 'dir')) continue;

    if (kind === 'dir') {
      let sub: Frame;
      try {
        sub = await list(child);
      } catch (err) {
        if (!vanished(err)) yield { type: 'error', path: child.path, error: describeError(err) };
        continue;
      }
      yield entryOf('dir', child, outcome.stats);
      stack.push(sub);
    } else if (kind === 'symlink') {
      let target: Buffer;
      try {
        target = await fs.readlink(child.abs, { encoding: 'buffer' });
      } catch (err) {
        if (!vanished(err)) yield { type: 'error', path: child.path, error: describeError(err) };
        continue;
      }
      // A target that is not UTF-8 is escaped like a name (see raw-names).
      yield entryOf('symlink', child, outcome.stats, nameFromBytes(target).name);
    } else {
      yield entryOf('file', child, outcome.stats);
    }
  }
}

/** Where an entry found by walkLocal(absRoot) lives; a Buffer when its name is not UTF-8. */
export function absolutePathOf(
  absRoot: string,
  entry: { path: string; rawPath?: Buffer | undefined },
): string | Buffer {
  const prefix = absRoot.endsWith('/') ? absRoot : `${absRoot}/`;
  if (entry.rawPath !== undefined) return Buffer.concat([Buffer.from(prefix), entry.rawPath]);
  return entry.path === '' ? absRoot : prefix + entry.path;
}

async function statRoot(absRoot: string, fs: LocalFs): Promise<Stats> {
  let stats: Stats;
  try {
    stats = await fs.stat(absRoot);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new StrataError(
        'not-found',
        `source folder ${absRoot} does not exist`,
        'check the path, or connect the disk it is on',
        { cause: err },
      );
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new StrataError(
        'permission',
        `source folder ${absRoot} cannot be opened: permission denied`,
        'give Strata read access to it',
        { cause: err },
      );
    }
    throw new StrataError('io', `source folder ${absRoot} cannot be opened: ${describeError(err)}`, undefined, {
      cause: err,
    });
  }
  if (!stats.isDirectory()) {
    throw new StrataError('config', `source ${absRoot} is not a folder`, 'choose a folder as the source');
  }
  return stats;
}

function lstatOutcome(fs: LocalFs, abs: string | Buffer): Promise<StatOutcome> {
  return fs.lstat(abs).then(
    (stats): StatOutcome => ({ ok: true, stats }),
    (error: unknown): StatOutcome => ({ ok: false, error }),
  );
}

function lstatSyncOutcome(sync: SyncFs, abs: string | Buffer): StatOutcome {
  try {
    return { ok: true, stats: sync.lstat(abs) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Gone between listing and looking: not a failure, the next run will not see it either. */
function vanished(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** null: a kind the walk skips (socket, fifo, device); undefined: the file system did not say. */
function kindOfDirent(d: Dirent<Buffer>): Kind | null | undefined {
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'dir';
  if (d.isSymbolicLink()) return 'symlink';
  if (d.isFIFO() || d.isSocket() || d.isBlockDevice() || d.isCharacterDevice()) return null;
  return undefined;
}

function kindOfStats(s: Stats): Kind | undefined {
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'dir';
  if (s.isSymbolicLink()) return 'symlink';
  return undefined;
}

function entryOf(type: Kind, at: Place, s: Stats, linkTarget?: string): SourceEntry {
  return {
    type,
    path: at.path,
    rawPath: at.rawPath,
    // A directory's size is file-system bookkeeping, not content.
    size: type === 'dir' ? 0 : s.size,
    mtimeMs: s.mtimeMs,
    inode: s.ino,
    mode: s.mode & 0o7777,
    linkTarget,
  };
}
