import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream, type Stats } from 'node:fs';
import {
  copyFile,
  type FileHandle,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
  writeFile,
  readFile,
} from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pLimit from 'p-limit';
import { StrataError, describeError } from '../../../shared/errors.js';
import {
  checkRange,
  type Destination,
  type HeadOptions,
  type ObjectInfo,
  type ProbeStep,
  type PutStreamOptions,
} from './types.js';

const TMP_DIR = '.strata-tmp';
/** Up to this many files written since the last flush are fsynced one by one. */
const FSYNC_EACH_LIMIT = 256;
/**
 * An object this large (a vault's pack, a big file of a mirror) is fsynced as soon as it is in
 * place, in the background: its writeback then overlaps the rest of the backup, where a flush at
 * the end waited for all of it at once (~0.1 s per 100 MB here).
 */
const SYNC_EARLY_BYTES = 4 * 1024 * 1024;

/**
 * A folder (local disk or mounted NAS share) used as an object store. Every object is written
 * to a temp file and renamed into place, so a reader never sees half a file. Durability is
 * batched: `flush()` syncs the file system once at the snapshot boundary, instead of an
 * fsync per file.
 */
export class LocalDestination implements Destination {
  readonly kind = 'local' as const;
  readonly concurrency: number;
  private readonly written: string[] = [];
  /** Early fsyncs under way (see SYNC_EARLY_BYTES), the folders of their files, and their first failure. */
  private readonly early = new Set<Promise<void>>();
  private readonly earlyDirs = new Set<string>();
  private earlyFailure: unknown;
  private readonly earlyLimit = pLimit(2);
  private readonly canSyncfs = process.platform === 'linux';
  private readonly knownDirs = new Set<string>();
  private readonly tmpPrefix = randomBytes(4).toString('hex');
  private tmpCounter = 0;

  constructor(
    readonly root: string,
    opts: { concurrency?: number } = {},
  ) {
    this.concurrency = opts.concurrency ?? 16;
  }

  get label(): string {
    return this.root;
  }

  /** Fails clearly when the folder is missing (an unmounted share must not fill the local disk). */
  async checkReachable(): Promise<void> {
    try {
      const s = await stat(this.root);
      if (!s.isDirectory()) throw new Error('not a folder');
    } catch {
      throw new StrataError(
        'not-found',
        `destination folder ${this.root} does not exist`,
        'mount the disk or share, or create the folder, then run again',
      );
    }
  }

  private pathOf(key: string): string {
    if (key.split('/').some((s) => s === '..' || s === '.' || s === '') || key.includes('\0')) {
      throw new StrataError('unsafe-path', `refusing object key ${JSON.stringify(key)}`);
    }
    return join(this.root, ...key.split('/'));
  }

  private async tempFile(): Promise<string> {
    const dir = join(this.root, TMP_DIR);
    await this.ensureDir(dir);
    return join(dir, `${process.pid}-${this.tmpPrefix}-${++this.tmpCounter}`);
  }

  /** mkdir -p, remembering what exists: one syscall per new folder instead of one per file. */
  private async ensureDir(dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    await mkdir(dir, { recursive: true });
    if (this.knownDirs.size > 100_000) this.knownDirs.clear();
    this.knownDirs.add(dir);
  }

  /** Moves a written temp file into place; `bytes`, when known, lets a large one be synced early. */
  private async place(tmp: string, key: string, bytes?: number): Promise<void> {
    const target = this.pathOf(key);
    await this.ensureDir(dirname(target));
    try {
      await rename(tmp, target);
    } catch (err) {
      // A folder this process created may have been pruned by a delete since: make it again.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.knownDirs.clear();
      await mkdir(dirname(target), { recursive: true });
      await rename(tmp, target);
    }
    if (bytes !== undefined && bytes >= SYNC_EARLY_BYTES) this.syncEarly(target);
    else if (!this.canSyncfs || this.written.length <= FSYNC_EACH_LIMIT) this.written.push(target);
  }

  async putBuffer(key: string, body: Buffer): Promise<void> {
    const tmp = await this.tempFile();
    try {
      await writeFile(tmp, body);
      await this.place(tmp, key, body.length);
    } catch (err) {
      await rm(tmp, { force: true });
      throw ioError(err, this.root);
    }
  }

  async putStream(key: string, body: Readable, opts: PutStreamOptions): Promise<void> {
    const tmp = await this.tempFile();
    try {
      let bytes = 0;
      const progress = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          opts.onProgress?.(chunk.length);
          cb(null, chunk);
        },
      });
      await pipeline(body, progress, createWriteStream(tmp));
      await this.place(tmp, key, bytes);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err instanceof StrataError ? err : ioError(err, this.root);
    }
  }

  async get(key: string): Promise<Readable> {
    return (await this.open(key)).body;
  }

  async open(key: string): Promise<{ body: Readable; info: ObjectInfo }> {
    const { fh, st } = await this.openFile(key);
    return {
      body: fh.createReadStream({ highWaterMark: 1 << 20 }),
      info: { key, size: st.size, lastModified: st.mtime },
    };
  }

  async getRange(key: string, start: number, end: number, into?: Buffer): Promise<Buffer> {
    checkRange(key, start, end);
    const { fh, st } = await this.openFile(key);
    try {
      const want = Math.max(0, Math.min(end, st.size) - start);
      // Unzeroed: only the bytes read are returned.
      const buf = into && into.length >= want ? into.subarray(0, want) : Buffer.allocUnsafe(want);
      let filled = 0;
      // read() may return less than asked (NAS shares, signals): loop until full or end of file.
      while (filled < buf.length) {
        const { bytesRead } = await fh.read(buf, filled, buf.length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled === buf.length ? buf : buf.subarray(0, filled);
    } catch (err) {
      throw ioError(err, this.root);
    } finally {
      await fh.close();
    }
  }

  /** An open regular file; a missing key, or a folder in its place, is not-found. */
  private async openFile(key: string): Promise<{ fh: FileHandle; st: Stats }> {
    const fh = await open(this.pathOf(key), 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'EISDIR') {
        throw new StrataError('not-found', `${key} is not in ${this.root}`);
      }
      throw ioError(err, this.root);
    });
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close();
      throw new StrataError('not-found', `${key} is not in ${this.root}`);
    }
    return { fh, st };
  }

  async head(key: string, opts: HeadOptions = {}): Promise<ObjectInfo | undefined> {
    const path = this.pathOf(key);
    const s = await stat(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
      throw ioError(err, this.root);
    });
    if (!s || !s.isFile()) return undefined;
    let sha256: string | undefined;
    if (opts.withSha256) {
      const h = createHash('sha256');
      for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
      sha256 = h.digest('hex');
    }
    return { key, size: s.size, sha256, lastModified: s.mtime };
  }

  async copy(fromKey: string, toKey: string): Promise<void> {
    const tmp = await this.tempFile();
    try {
      // Reflinks make this free on btrfs/xfs; elsewhere it is a plain copy.
      await copyFile(this.pathOf(fromKey), tmp, constants.COPYFILE_FICLONE);
      await this.place(tmp, toKey);
    } catch (err) {
      await rm(tmp, { force: true });
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new StrataError('not-found', `${fromKey} is not in ${this.root}`);
      }
      throw ioError(err, this.root);
    }
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) {
      const path = this.pathOf(key);
      try {
        await unlink(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(err, this.root);
        continue;
      }
      await this.pruneEmptyDirs(dirname(path));
    }
  }

  /** Keeps the mirror browsable: folders emptied by deletes go too (never the root). */
  private async pruneEmptyDirs(dir: string): Promise<void> {
    while (dir.startsWith(this.root + sep) && dir !== this.root) {
      try {
        await rmdir(dir);
        this.knownDirs.delete(dir);
      } catch {
        return;
      }
      dir = dirname(dir);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const start = prefix.replace(/\/+$/, '');
    const base = start ? this.pathOf(start) : this.root;
    const stack: [string, string][] = [[base, start]];
    while (stack.length) {
      const [dir, keyDir] = stack.pop()!;
      let names;
      try {
        names = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') continue;
        throw ioError(err, this.root);
      }
      names.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
      for (const d of names) {
        const key = keyDir ? `${keyDir}/${d.name}` : d.name;
        if (!keyDir && d.name === TMP_DIR) continue;
        if (d.isDirectory()) stack.push([join(dir, d.name), key]);
        else if (d.isFile()) {
          const s = await stat(join(dir, d.name));
          yield { key, size: s.size, lastModified: s.mtime };
        }
      }
    }
  }

  /**
   * A few files are fsynced one by one; past that, one syncfs(2) for the whole file system is
   * far cheaper than thousands of fsyncs (though it also flushes other programs' writes).
   */
  async flush(): Promise<void> {
    await Promise.all([...this.early]);
    const failure = this.earlyFailure;
    this.earlyFailure = undefined;
    const earlyDirs = [...this.earlyDirs];
    this.earlyDirs.clear();
    if (failure) throw ioError(failure, this.root);
    const files = this.written.splice(0);
    if (files.length > FSYNC_EACH_LIMIT && this.canSyncfs) {
      await syncFileSystem(this.root);
      return;
    }
    const dirs = new Set([...files.map((f) => dirname(f)), ...earlyDirs]);
    const limit = pLimit(16);
    await Promise.all([...files, ...dirs].map((path) => limit(() => fsyncPath(path))));
  }

  /** Starts a file's fsync now; flush() waits for it and syncs its folder (the rename). */
  private syncEarly(path: string): void {
    this.earlyDirs.add(dirname(path));
    const done: Promise<void> = this.earlyLimit(() => fsyncPath(path))
      .catch((err: unknown) => {
        this.earlyFailure ??= err;
      })
      .finally(() => this.early.delete(done));
    this.early.add(done);
  }

  async sweep(olderThan: Date): Promise<number> {
    const dir = join(this.root, TMP_DIR);
    let removed = 0;
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const s = await stat(join(dir, name)).catch(() => undefined);
      if (s && s.mtime < olderThan) {
        await rm(join(dir, name), { force: true, recursive: true });
        removed++;
      }
    }
    return removed;
  }

  async probe(): Promise<ProbeStep[]> {
    const steps: ProbeStep[] = [];
    const key = `.strata-probe/${randomBytes(8).toString('hex')}`;
    const body = randomBytes(1024);
    const step = async (name: ProbeStep['step'], fn: () => Promise<void>): Promise<boolean> => {
      const t = Date.now();
      try {
        await fn();
        steps.push({ step: name, ok: true, ms: Date.now() - t });
        return true;
      } catch (err) {
        steps.push({ step: name, ok: false, ms: Date.now() - t, error: describeError(err) });
        return false;
      }
    };
    const ok =
      (await step('write', async () => {
        await this.checkReachable();
        await this.putBuffer(key, body);
      })) &&
      (await step('read', async () => {
        const back = await readFile(this.pathOf(key));
        if (!back.equals(body)) throw new Error('read back different bytes than were written');
      })) &&
      (await step('list', async () => {
        for await (const o of this.list('.strata-probe')) if (o.key === key) return;
        throw new Error('the probe object was not listed');
      }));
    if (ok) await step('delete', () => this.delete([key]));
    return steps;
  }

  async close(): Promise<void> {}
}

/** fsync(2) of a file or folder by path; one deleted since (history moves, prunes) needs none. */
async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return;
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** syncfs(2) through coreutils: one call makes the whole file system durable. */
function syncFileSystem(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sync', ['--file-system', path], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new StrataError('io', `could not flush ${path} to disk (sync exited ${code})`)),
    );
  });
}

function ioError(err: unknown, root: string): StrataError {
  if (err instanceof StrataError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new StrataError(
      'disk-full',
      `the destination disk at ${root} is full`,
      'free space there and run again; nothing already backed up was lost',
      { cause: err },
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new StrataError(
      'permission',
      `cannot write to ${root}: ${describeError(err)}`,
      'give Strata write access to the folder',
      { cause: err },
    );
  }
  return new StrataError('io', `${root}: ${describeError(err)}`, undefined, { cause: err });
}
