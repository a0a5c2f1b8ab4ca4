import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import {
  chmod,
  copyFile,
  lstat,
  mkdir,
  open,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  symlink,
  utimes,
} from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import pLimit from 'p-limit';
import pRetry from 'p-retry';
import { StrataError, describeError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import { filesKey, historyKey } from '../repository/keys.js';
import type { BlobIndex, BlobLocation } from '../vault/blob-index.js';
import { keysForThread } from '../vault/repo-key.js';
import { VaultDestination } from '../vault/vault-destination.js';
import { ManifestFile } from '../repository/manifest-reader.js';
import type { ManifestEntry } from '../repository/manifest-schema.js';
import { requireRepoConfig } from '../repository/repo-config.js';
import type { SnapshotInfo } from '../repository/snapshot-list.js';
import { HashingStream } from '../transfer/hashing.js';
import { compileRestoreFilter, isFiltered, type RestoreFilter } from './restore-filter.js';
import {
  assertInside,
  keepBothName,
  linkStaysInside,
  parentOf,
  resolvesInside,
  targetPathOf,
} from './restore-target.js';
import { integrityError } from './integrity-error.js';
import { hashFile, Scratch } from './restore-scratch.js';
import type { WorkerSetup } from './restore-worker-protocol.js';
import {
  FILES_OUT_TO_WORKERS,
  RestoreWorkers,
  restoreWorkerCount,
  restoreWorkerUrl,
  type WorkerOutcome,
} from './restore-workers.js';

export type ConflictRule = 'skip' | 'overwrite' | 'keep-both';

export interface RestoreOptions {
  dest: Destination;
  snapshot: SnapshotInfo;
  to: string;
  filter?: RestoreFilter;
  conflict?: ConflictRule;
  tmpDir: string;
  concurrency?: number;
  onProgress?: (p: RestoreProgress) => void;
  /** Stops the restore between files (what was written stays, intact); the report says 'cancelled'. */
  signal?: AbortSignal | undefined;
  /** How downloaded bytes reach the disk (tests inject a full disk here). */
  openWrite?: OpenWrite | undefined;
  /**
   * How a worker thread opens this destination. Given for a vault, its files are written by worker
   * threads (restore-workers.ts); without it everything runs in this thread.
   */
  workers?: WorkerSetup['destination'] | undefined;
}

/** Opens a temp file for writing, created with `mode` (less the umask) when given. */
export type OpenWrite = (path: string | Buffer, mode?: number) => Writable;

export interface RestoreProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  current?: string | undefined;
}

export interface RestoreReport {
  snapshotId: string;
  files: number;
  bytes: number;
  dirs: number;
  symlinks: number;
  /** Existing files left alone because they differ (conflict rule 'skip'). */
  skipped: number;
  /** Existing files that already held this version (checked by SHA-256): a resumed restore's earlier work. */
  identical: number;
  renamed: number;
  /**
   * Files checked against the snapshot, every one written and every identical one: by SHA-256, or
   * for a vault's files written, chunk by chunk (each authenticated and hashed back to its id).
   */
  verified: number;
  /** Bytes downloaded from the destination. */
  bytesRead: number;
  errors: { path: string; error: string }[];
  /** Worker threads that wrote files (0: all in this thread). */
  workers: number;
  /** Set when the restore stopped before the end (disk full, cancelled): what happened and what to do. */
  stopped?: { code: 'disk-full' | 'cancelled'; message: string } | undefined;
}

/**
 * What every restore starts with: the snapshot readable, the repository's format understood,
 * the manifest checked whole, and the totals of what the filter selects (for progress).
 */
export async function openForRestore(
  dest: Destination,
  snapshot: SnapshotInfo,
  tmpDir: string,
  filter: RestoreFilter | undefined,
): Promise<{
  mf: ManifestFile;
  report: RestoreReport;
  progress: RestoreProgress;
  wanted: (e: ManifestEntry) => boolean;
}> {
  if (snapshot.damaged) {
    throw new StrataError(
      'corrupt',
      `snapshot ${snapshot.snapshotId} cannot be read: ${snapshot.damaged}`,
      'restore another snapshot',
    );
  }
  await requireRepoConfig(dest);
  const mf = await ManifestFile.fetch(dest, snapshot.manifestKey, tmpDir);
  const wanted = compileRestoreFilter(filter ?? {});
  const progress: RestoreProgress = { filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 };
  if (!isFiltered(filter ?? {})) {
    // Everything: the totals were counted while the manifest was checked.
    progress.filesTotal = mf.counts.files;
    progress.bytesTotal = mf.counts.bytes;
  } else {
    try {
      for await (const e of mf.entries()) {
        if (e.type === 'file' && wanted(e)) {
          progress.filesTotal++;
          progress.bytesTotal += e.size ?? 0;
        }
      }
    } catch (err) {
      await mf.dispose();
      throw err;
    }
  }
  const report: RestoreReport = {
    snapshotId: snapshot.snapshotId,
    files: 0,
    bytes: 0,
    dirs: 0,
    symlinks: 0,
    skipped: 0,
    identical: 0,
    renamed: 0,
    verified: 0,
    bytesRead: 0,
    workers: 0,
    errors: [],
  };
  return { mf, report, progress, wanted };
}

/**
 * Restores one snapshot (or the filtered part of it) into a folder. The manifest is checked
 * whole before anything is written; each file lands through a temp file and a rename once it is
 * checked (download); folders get their mtimes after their contents are in place.
 * A disk that fills stops the restore cleanly (report.stopped); running it again continues.
 */
export async function restoreSnapshot(opts: RestoreOptions): Promise<RestoreReport> {
  const { dest, snapshot } = opts;
  // A restore of the whole snapshot knows its size from the listing: its threads start while the
  // manifest is fetched and checked (each loads its code and opens the destination), not after.
  const starting = isFiltered(opts.filter ?? {})
    ? undefined
    : startWorkers(opts, { filesTotal: snapshot.files, bytesTotal: snapshot.bytes });
  starting?.catch(() => undefined); // awaited below; a failure meanwhile must not go unhandled
  let opened: Awaited<ReturnType<typeof openForRestore>>;
  try {
    opened = await openForRestore(dest, snapshot, opts.tmpDir, opts.filter);
  } catch (err) {
    await (await starting?.catch(() => undefined))?.close();
    throw err;
  }
  const { mf, report, progress, wanted } = opened;
  let scratch: Scratch | undefined;
  let workers: RestoreWorkers | undefined;
  const cancelWorkers = (): void => workers?.cancel();
  opts.signal?.addEventListener('abort', cancelWorkers);
  // The listing's counts may be missing (an older catalog): the manifest's then decide.
  const ready = (starting ?? Promise.resolve(undefined)).then((w) => w ?? startWorkers(opts, progress));
  ready.catch(() => undefined); // awaited below, and closed at the end even when something else failed first
  try {
    // The threads' start, the vault's index and the restore folder, at once.
    const [started, index] = await Promise.all([
      ready,
      willUseWorkers(opts) ? (dest as VaultDestination).index() : undefined,
      mkdir(opts.to, { recursive: true }),
    ]);
    workers = started;
    const realRoot = await realpath(opts.to);
    scratch = await Scratch.open(realRoot, workers?.lanes ?? 0);
    const conflict = opts.conflict ?? 'skip';
    opts.onProgress?.({ ...progress });
    const fail = (path: string, err: unknown): void => {
      report.errors.push({ path, error: describeError(err) });
    };
    const stopped = (): boolean => {
      if (!report.stopped && opts.signal?.aborted) {
        report.stopped = { code: 'cancelled', message: 'the restore was cancelled' };
      }
      return report.stopped !== undefined;
    };
    report.workers = workers?.size ?? 0;
    /** Files written in this thread at once; each holds a chunk or two in memory. */
    const here = opts.concurrency ?? Math.min(16, dest.concurrency);
    const ctx: FileCtx = {
      opts,
      snapshot,
      realRoot,
      conflict,
      scratch,
      openWrite: opts.openWrite ?? defaultOpenWrite,
      dirs: new Map(),
      workers: workers && index && { pool: workers, index: index.index },
      downloads: pLimit(here),
    };

    // Pass 1: folders and files, in manifest order (a folder comes before what it holds).
    // Workers queue what they are given and each read their own runs, so they are given plenty.
    const inFlight = workers ? FILES_OUT_TO_WORKERS : here;
    const limit = pLimit(inFlight);
    const jobs = new Set<Promise<void>>();
    // Kept for passes 2 and 3, so they need not read the manifest again: folders are few beside files.
    const dirTimes: { target: string | Buffer; mtime: number }[] = [];
    let symlinks = 0;
    for await (const e of mf.entries()) {
      if (stopped()) break;
      if (!wanted(e)) continue;
      if (e.type === 'symlink') {
        symlinks++;
        continue;
      }
      const target = targetPathOf(realRoot, e);
      if (e.type === 'dir') {
        try {
          if (await makeInMade(ctx, target)) {
            dirTimes.push({ target, mtime: e.mtime });
            report.dirs++;
            continue;
          }
          await assertInside(realRoot, target, e.path);
          // Only a folder found inside gets its time: utimes follows links.
          dirTimes.push({ target, mtime: e.mtime });
          const made = await mkdir(target, { recursive: true });
          // Its files skip the checks only when the folder itself is inside (a link planted there is not).
          if (typeof target === 'string' && (made !== undefined || (await resolvesInside(realRoot, target)))) {
            ctx.dirs.set(target, made !== undefined);
          }
          report.dirs++;
        } catch (err) {
          if (isDiskFull(err)) report.stopped ??= diskFull(opts.to, report);
          else fail(e.path, err);
        }
        continue;
      }
      const job = limit(async () => {
        if (stopped()) return;
        let read = 0;
        try {
          const outcome = await restoreFile(ctx, e, target, (n) => {
            read += n;
            progress.bytesDone += n;
          });
          report.bytesRead += read;
          if (outcome === 'skipped' || outcome === 'identical') {
            // Nothing to download: count it done, so the bar and the ETA reflect what is left.
            progress.bytesDone += e.size ?? 0;
            if (outcome === 'skipped') report.skipped++;
            else {
              report.identical++;
              report.verified++;
            }
          } else {
            report.files++;
            report.verified++;
            report.bytes += e.size ?? 0;
            if (outcome === 'renamed') report.renamed++;
          }
        } catch (err) {
          report.bytesRead += read;
          progress.bytesDone -= read;
          if (isDiskFull(err)) report.stopped ??= diskFull(opts.to, report);
          else if (!(opts.signal?.aborted && isAbort(err))) fail(e.path, err);
        }
        progress.filesDone++;
        progress.current = e.path;
        opts.onProgress?.({ ...progress });
      }).finally(() => jobs.delete(job));
      jobs.add(job);
      if (jobs.size >= Math.max(64, inFlight)) await Promise.race(jobs);
    }
    await Promise.all(jobs);
    if (stopped()) {
      if (report.stopped?.code === 'disk-full') report.stopped = diskFull(opts.to, report);
      return report;
    }

    // Pass 2: symlinks, last, so no write above could have gone through one.
    for await (const e of symlinks ? mf.entries() : []) {
      if (e.type !== 'symlink' || !wanted(e)) continue;
      try {
        if (!linkStaysInside(realRoot, e.path, e.target!)) {
          throw new StrataError(
            'unsafe-path',
            `symlink points outside the restore folder (→ ${e.target}); not restored`,
          );
        }
        const target = targetPathOf(realRoot, e);
        await assertInside(realRoot, target, e.path);
        const exists = await lstat(target).catch(() => undefined);
        if (exists?.isSymbolicLink() && (await readLinkOf(target)) === e.target) {
          report.identical++;
          continue;
        }
        if (exists && conflict === 'skip') {
          report.skipped++;
          continue;
        }
        await mkdir(parentOf(target), { recursive: true });
        if (exists) await rm(target, { force: true });
        await symlink(e.target!, target);
        report.symlinks++;
      } catch (err) {
        fail(e.path, err);
      }
    }

    // Pass 3: folder times, after their contents stopped changing them.
    for (const { target, mtime } of dirTimes) {
      const t = new Date(mtime);
      await utimes(target, t, t).catch(() => undefined);
    }
    return report;
  } finally {
    opts.signal?.removeEventListener('abort', cancelWorkers);
    await (await ready.catch(() => undefined))?.close();
    await scratch?.close();
    await mf.dispose();
  }
}

/** Whether this restore may hand files to worker threads (when it is big enough: startWorkers). */
function willUseWorkers(opts: RestoreOptions): boolean {
  return (
    Boolean(opts.workers) && !opts.openWrite && opts.dest instanceof VaultDestination && !!opts.dest.codec.madeFrom
  );
}

/** Below this, starting threads costs more than they save. */
const WORKERS_FROM = { files: 64, bytes: 64 * 1024 * 1024 };

/** Worker threads for a vault's files, when this restore is big enough and they can run here. */
async function startWorkers(
  opts: RestoreOptions,
  planned: Pick<RestoreProgress, 'filesTotal' | 'bytesTotal'>,
): Promise<RestoreWorkers | undefined> {
  if (!willUseWorkers(opts)) return undefined;
  if (planned.filesTotal < WORKERS_FROM.files && planned.bytesTotal < WORKERS_FROM.bytes) return undefined;
  const url = restoreWorkerUrl();
  const local = opts.workers!.config.kind === 'local';
  const count = Math.min(restoreWorkerCount(local), Math.ceil(planned.filesTotal / 8));
  if (!url || count < 1) return undefined;
  const { keys, options } = (opts.dest as VaultDestination).codec.madeFrom!;
  return RestoreWorkers.start({ destination: opts.workers!, keys: keysForThread(keys), options }, count, url);
}

interface FileCtx {
  opts: RestoreOptions;
  snapshot: SnapshotInfo;
  realRoot: string;
  conflict: ConflictRule;
  scratch: Scratch;
  openWrite: OpenWrite;
  /**
   * Folders this restore has checked (assertInside) and made, so the files in them skip both:
   * true when the restore created it, so nothing was in it before.
   */
  dirs: Map<string, boolean>;
  /** Worker threads writing vault files, and where the vault's chunks are, to tell them. */
  workers?: { pool: RestoreWorkers; index: BlobIndex } | undefined;
  /** Bounds the files written in this thread: many more may be out to the workers (one dying hands them back). */
  downloads: ReturnType<typeof pLimit>;
}

const defaultOpenWrite: OpenWrite = (path, mode) => createWriteStream(path, mode === undefined ? {} : { mode });

/** Read once: reading the umask sets it back, so it is not read per file. */
let processUmask: number | undefined;

/** True when creating a file with `mode` already gives it that mode, so no chmod is needed. */
function modeFromCreate(mode: number): boolean {
  processUmask ??= process.umask();
  return (mode & 0o7000) === 0 && (mode & 0o777 & ~processUmask) === (mode & 0o777);
}

function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'disk-full';
}

function isAbort(err: unknown): boolean {
  return (err as { name?: string } | undefined)?.name === 'AbortError';
}

/** The disk filled: the restore stops, every file already in place is whole and checked. */
function diskFull(to: string, report: RestoreReport): NonNullable<RestoreReport['stopped']> {
  return {
    code: 'disk-full',
    message:
      `the disk holding ${to} is full: the restore stopped after ${report.files + report.identical} file(s), ` +
      'each one whole and checked; nothing half-written was left; ' +
      'free some space (or choose a folder on a larger disk) and run the same restore again: it continues where it stopped',
  };
}

async function readLinkOf(target: string | Buffer): Promise<string | undefined> {
  return readlink(target).catch(() => undefined);
}

/** True when the file at `path` already holds this entry's content (same size, same SHA-256). */
async function holdsVersion(path: string | Buffer, e: ManifestEntry): Promise<boolean> {
  const st = await lstat(path).catch(() => undefined);
  if (!st?.isFile() || st.size !== e.size) return false;
  return (await hashFile(path).catch(() => undefined)) === e.sha256;
}

/**
 * Makes a folder inside one this restore made: nothing was in there to link elsewhere, so the
 * checks for planted links (a few calls per folder) are not needed. False when the parent is not
 * one it made, or the folder could not be made that way (the caller then checks and makes it).
 */
async function makeInMade(ctx: FileCtx, target: string | Buffer): Promise<boolean> {
  if (typeof target !== 'string' || ctx.dirs.get(parentOf(target) as string) !== true) return false;
  try {
    await mkdir(target);
  } catch {
    return false;
  }
  ctx.dirs.set(target, true);
  return true;
}

/**
 * One file: an existing file that already holds this version is left as it is ('identical': how a
 * restore run again after a kill or a full disk picks up where it stopped, whatever the conflict
 * rule); otherwise the conflict rule decides, and the content downloads into the scratch folder,
 * is checked against its SHA-256 and renamed into place with its mode and mtime.
 */
async function restoreFile(
  ctx: FileCtx,
  e: ManifestEntry,
  target: string | Buffer,
  onBytes: (n: number) => void,
): Promise<'written' | 'skipped' | 'renamed' | 'identical'> {
  const { realRoot, conflict } = ctx;
  const parent = parentOf(target);
  const checked = typeof parent === 'string' ? ctx.dirs.get(parent) : undefined;
  if (checked === undefined) await assertInside(realRoot, target, e.path);
  let final = target;
  let outcome: 'written' | 'renamed' = 'written';
  // In a folder this restore created, nothing can be in the way.
  const existing = checked ? undefined : await lstat(target).catch(() => undefined);
  if (existing) {
    if (await holdsVersion(target, e)) return 'identical';
    if (conflict === 'skip') return 'skipped';
    if (conflict === 'keep-both') {
      const free = await freeName(target, e);
      if (free === 'identical') return 'identical';
      final = free;
      outcome = 'renamed';
    } else if (existing.isDirectory()) {
      throw new StrataError('io', `a folder is in the way at ${e.path}`, 'move it aside and restore again');
    }
  }
  if (checked === undefined) {
    await mkdir(parent, { recursive: true });
    if (typeof parent === 'string') ctx.dirs.set(parent, false);
  }
  const mode = e.mode === undefined ? undefined : e.mode & 0o7777;
  // Named once whoever writes it is known: a worker makes its files in its own lane (restore-scratch.ts).
  const temp: { path?: string } = {};
  const tmpIn = (lane?: number): string => (temp.path ??= ctx.scratch.file(lane));
  try {
    const inWorker = await writeInWorker(ctx, e, tmpIn, final, mode, onBytes);
    if (inWorker === 'placed') return outcome;
    // A worker that died leaves its temp file to be started over here.
    const tmp = tmpIn();
    if (!inWorker) {
      await ctx.downloads(() =>
        download(ctx.opts.dest, ctx.snapshot, e, tmp, onBytes, {
          openWrite: ctx.openWrite,
          signal: ctx.opts.signal,
          mode,
        }),
      );
      // A custom openWrite may not create with the mode asked.
      if (mode !== undefined && !(ctx.openWrite === defaultOpenWrite && modeFromCreate(mode))) await chmod(tmp, mode);
      const t = new Date(e.mtime);
      await utimes(tmp, t, t);
    }
    await renameInto(tmp, final);
  } catch (err) {
    if (temp.path !== undefined) await rm(temp.path, { force: true });
    throw err;
  }
  return outcome;
}

/**
 * A vault file written by a worker thread, with its mode and mtime (WorkerOutcome); false when none
 * can (write it here). `tmpIn(lane)` names its temp file, in the lane of the worker that writes it.
 */
async function writeInWorker(
  ctx: FileCtx,
  e: ManifestEntry,
  tmpIn: (lane?: number) => string,
  final: string | Buffer,
  mode: number | undefined,
  onBytes: (n: number) => void,
): Promise<WorkerOutcome> {
  if (!ctx.workers || !e.chunks) return false;
  const { pool, index } = ctx.workers;
  let sent = 0;
  const counted = (n: number): void => {
    sent += n;
    onBytes(n);
  };
  const job = {
    path: e.path,
    final: typeof final === 'string' ? final : undefined,
    chunks: e.chunks,
    locations: e.chunks.map((id) => index.locations(id)),
    size: e.size ?? 0,
    mode,
    chmod: mode !== undefined && !modeFromCreate(mode),
    mtime: e.mtime,
  };
  const parts = splitForWorkers(job.chunks, job.locations, job.size, pool.size);
  let written: WorkerOutcome;
  if (!parts) written = await pool.write(job, tmpIn, counted);
  else {
    // The file is made here, its parts written into it by several workers, its mode and time set here.
    const tmp = tmpIn();
    await (await open(tmp, 'w', mode ?? 0o666)).close();
    const outcomes = await Promise.allSettled(
      pool.writeParts(
        parts.map((p) => ({ ...job, tmp, final: undefined, chmod: false, ...p })),
        counted,
      ),
    );
    const failed = outcomes.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
    written = outcomes.every((o) => o.status === 'fulfilled' && o.value) ? 'written' : false;
    if (written) {
      // Each part checked its own length; together they must be the file's.
      if ((await stat(tmp)).size !== job.size) throw integrityError(e.path);
      if (job.chmod) await chmod(tmp, mode!);
      const t = new Date(e.mtime);
      await utimes(tmp, t, t);
    }
  }
  // Bytes a dead worker reported are read again here: the progress counts them once.
  if (!written && sent) onBytes(-sent);
  return written;
}

/** A file this large is split across the workers, in parts of at least PART_MIN_BYTES. */
const SPLIT_FROM_BYTES = 32 * 1024 * 1024;
const PART_MIN_BYTES = 16 * 1024 * 1024;

/**
 * A large file's chunks as contiguous parts, one per worker, with the byte each starts at (from the
 * chunks' plaintext lengths in the index); undefined when it is written whole.
 */
export function splitForWorkers(
  chunks: string[],
  locations: BlobLocation[][],
  size: number,
  workers: number,
): { chunks: string[]; locations: BlobLocation[][]; offset: number; size: number }[] | undefined {
  const count = Math.min(workers, Math.floor(size / PART_MIN_BYTES), chunks.length);
  if (size < SPLIT_FROM_BYTES || count < 2) return undefined;
  // A chunk the index does not place fails in the worker, which says so: not split.
  if (locations.some((l) => !l.length)) return undefined;
  const parts = [];
  let from = 0;
  let offset = 0;
  for (let p = 0; p < count; p++) {
    const goal = (size * (p + 1)) / count;
    let to = from;
    let end = offset;
    while (to < chunks.length && (p === count - 1 || end < goal)) end += locations[to++]![0]!.rawLength;
    if (to === from) break;
    parts.push({ chunks: chunks.slice(from, to), locations: locations.slice(from, to), offset, size: end - offset });
    from = to;
    offset = end;
  }
  return parts.length >= 2 ? parts : undefined;
}

/** Moves a finished temp file into place; a sub-folder on another file system gets a copy beside it first. */
async function renameInto(tmp: string, final: string | Buffer): Promise<void> {
  try {
    await rename(tmp, final);
  } catch (err) {
    if ((err as { code?: string }).code !== 'EXDEV') throw err;
    const dir = parentOf(final);
    const beside =
      typeof dir === 'string'
        ? join(dir, `.strata-restore-${randomBytes(6).toString('hex')}`)
        : Buffer.concat([dir, Buffer.from(`/.strata-restore-${randomBytes(6).toString('hex')}`)]);
    try {
      await copyFile(tmp, beside);
      const st = await lstat(tmp);
      await chmod(beside, st.mode & 0o7777);
      await utimes(beside, st.atime, st.mtime);
      await rename(beside, final);
    } catch (copyErr) {
      await rm(beside, { force: true });
      throw copyErr;
    }
  }
}

/** The first "name (restored N).ext" not taken, or 'identical' when one of them already holds this version. */
async function freeName(target: string | Buffer, e: ManifestEntry): Promise<string | Buffer | 'identical'> {
  const name = typeof target === 'string' ? basename(target) : undefined;
  for (let n = 1; n < 10_000; n++) {
    const candidate =
      name !== undefined
        ? join(parentOf(target) as string, keepBothName(name, n))
        : Buffer.concat([target as Buffer, Buffer.from(` (restored ${n})`)]);
    if (!(await lstat(candidate).catch(() => undefined))) return candidate;
    if (await holdsVersion(candidate, e)) return 'identical';
  }
  throw new StrataError('io', 'no free name for a keep-both restore');
}

/**
 * Streams the entry's content into `tmp`, checking its SHA-256. The current object in files/
 * serves when it still holds this version (its metadata says so in the same response, so a
 * mismatch costs no download); otherwise the copy in history/ does. Transient failures
 * (a reset mid-body) retry the whole file.
 */
export async function download(
  dest: Destination,
  snapshot: SnapshotInfo,
  e: ManifestEntry,
  tmp: string | Buffer,
  onBytes: (n: number) => void,
  io: { openWrite?: OpenWrite | undefined; signal?: AbortSignal | undefined; mode?: number | undefined } = {},
): Promise<void> {
  if (e.chunks) return downloadChunks(dest, e, tmp, onBytes, io);
  const current = e.key ?? filesKey(snapshot.sourceName, e.path, Buffer.byteLength(dest.label) + 1);
  let lastErr: unknown;
  let mismatch = false;
  for (const key of [current, historyKey(current, e.sha256!)]) {
    try {
      const outcome = await pRetry(() => fetchVerified(dest, key, e, tmp, onBytes, io), {
        retries: 3,
        minTimeout: 200,
        // A full disk or a cancel will not get better by trying again.
        shouldRetry: (err) => !(err instanceof StrataError) && !isDiskFull(err) && !isAbort(err),
        ...(io.signal ? { signal: io.signal } : {}),
      });
      if (outcome === 'ok') return;
      if (outcome === 'mismatch') mismatch = true;
    } catch (err) {
      if (isDiskFull(err) || isAbort(err)) throw err;
      if (!(err instanceof StrataError && err.code === 'not-found')) lastErr ??= err;
    }
  }
  if (lastErr) throw lastErr;
  if (mismatch) throw integrityError(e.path);
  throw new StrataError(
    'not-found',
    `${e.path}: no stored copy of this version was found`,
    'the destination lost it; verify the destination and try another snapshot',
  );
}

/**
 * A vault entry: its chunks read in order from their packs and written out. Each chunk is checked
 * by the reader (authenticated, and its plaintext hashed back to its keyed id) and the manifest
 * that lists the ids is itself authenticated, so the file is the backed-up one without hashing it
 * a second time, as restic and Kopia restore; its length is still checked against the manifest.
 */
async function downloadChunks(
  dest: Destination,
  e: ManifestEntry,
  tmp: string | Buffer,
  onBytes: (n: number) => void,
  io: { openWrite?: OpenWrite | undefined; signal?: AbortSignal | undefined; mode?: number | undefined },
): Promise<void> {
  if (!(dest instanceof VaultDestination)) {
    throw new StrataError(
      'corrupt',
      `${e.path}: the snapshot lists vault chunks but ${dest.label} is not a vault`,
      'restore from the vault this snapshot was written to',
    );
  }
  const reader = await dest.reader();
  const out = (io.openWrite ?? defaultOpenWrite)(tmp, io.mode);
  // Written by hand rather than piped: each blob's buffer goes back to the reader's pool once the
  // write that took it has completed (decrypting into reused memory is most of a restore's speed).
  const done = finished(out);
  done.catch(() => undefined); // awaited below; an early failure must not go unhandled meanwhile
  let length = 0;
  try {
    for (const id of e.chunks!) {
      if (io.signal?.aborted) throw io.signal.reason;
      const plain = await reader.readPooled(id);
      length += plain.length;
      onBytes(plain.length);
      if (!out.write(plain, () => reader.recycle(plain)))
        await once(out, 'drain', io.signal ? { signal: io.signal } : {});
    }
    out.end();
    await done;
  } catch (err) {
    out.destroy();
    await done.catch(() => undefined);
    throw err;
  }
  if (length !== e.size) throw integrityError(e.path);
}

/**
 * 'other' when `key` holds another version by its metadata (nothing downloaded); 'mismatch'
 * when the bytes differ from the entry and no metadata said so (a local disk: maybe another
 * version, maybe damage); throws when the bytes contradict their own metadata.
 */
async function fetchVerified(
  dest: Destination,
  key: string,
  e: ManifestEntry,
  tmp: string | Buffer,
  onBytes: (n: number) => void,
  io: { openWrite?: OpenWrite | undefined; signal?: AbortSignal | undefined; mode?: number | undefined },
): Promise<'ok' | 'other' | 'mismatch'> {
  const { body, info } = await dest.open(key);
  if ((info.sha256 && info.sha256 !== e.sha256) || info.size !== e.size) {
    body.destroy();
    return 'other';
  }
  const hasher = new HashingStream();
  hasher.on('data', (c: Buffer) => onBytes(c.length));
  const out = (io.openWrite ?? defaultOpenWrite)(tmp, io.mode);
  if (io.signal) await pipeline(body, hasher, out, { signal: io.signal });
  else await pipeline(body, hasher, out);
  if (hasher.digest() === e.sha256) return 'ok';
  if (!info.sha256) return 'mismatch';
  throw integrityError(e.path);
}
