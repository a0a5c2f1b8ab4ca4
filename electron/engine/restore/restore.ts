import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, lstat, mkdir, realpath, rename, rm, symlink, utimes } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pLimit from 'p-limit';
import pRetry from 'p-retry';
import { StrataError, describeError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import { filesKey, historyKey } from '../repository/keys.js';
import { ManifestFile } from '../repository/manifest-reader.js';
import type { ManifestEntry } from '../repository/manifest-schema.js';
import { requireRepoConfig } from '../repository/repo-config.js';
import type { SnapshotInfo } from '../repository/snapshot-list.js';
import { HashingStream } from '../transfer/hashing.js';
import { compileRestoreFilter, type RestoreFilter } from './restore-filter.js';
import { assertInside, keepBothName, linkStaysInside, parentOf, targetPathOf } from './restore-target.js';

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
}

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
  skipped: number;
  renamed: number;
  errors: { path: string; error: string }[];
}

/**
 * Restores one snapshot (or the filtered part of it) into a folder. The manifest is checked
 * whole before anything is written; each file lands through a temp file and a rename once its
 * SHA-256 matches the manifest; folders get their mtimes after their contents are in place.
 */
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
  const report: RestoreReport = {
    snapshotId: snapshot.snapshotId,
    files: 0,
    bytes: 0,
    dirs: 0,
    symlinks: 0,
    skipped: 0,
    renamed: 0,
    errors: [],
  };
  return { mf, report, progress, wanted };
}

export async function restoreSnapshot(opts: RestoreOptions): Promise<RestoreReport> {
  const { dest, snapshot } = opts;
  const { mf, report, progress, wanted } = await openForRestore(dest, snapshot, opts.tmpDir, opts.filter);
  try {
    await mkdir(opts.to, { recursive: true });
    const realRoot = await realpath(opts.to);
    const conflict = opts.conflict ?? 'skip';
    opts.onProgress?.({ ...progress });
    const fail = (path: string, err: unknown): void => {
      report.errors.push({ path, error: describeError(err) });
    };

    // Pass 1: folders and files, in manifest order (a folder comes before what it holds).
    const limit = pLimit(opts.concurrency ?? Math.min(16, dest.concurrency));
    const jobs = new Set<Promise<void>>();
    for await (const e of mf.entries()) {
      if (!wanted(e) || e.type === 'symlink') continue;
      const target = targetPathOf(realRoot, e);
      if (e.type === 'dir') {
        try {
          await assertInside(realRoot, target, e.path);
          await mkdir(target, { recursive: true });
          report.dirs++;
        } catch (err) {
          fail(e.path, err);
        }
        continue;
      }
      const job = limit(async () => {
        try {
          const outcome = await restoreFile(opts, snapshot, e, realRoot, target, conflict, (n) => {
            progress.bytesDone += n;
          });
          if (outcome === 'skipped') report.skipped++;
          else {
            report.files++;
            report.bytes += e.size ?? 0;
            if (outcome === 'renamed') report.renamed++;
          }
        } catch (err) {
          fail(e.path, err);
        }
        progress.filesDone++;
        progress.current = e.path;
        opts.onProgress?.({ ...progress });
      }).finally(() => jobs.delete(job));
      jobs.add(job);
      if (jobs.size >= 64) await Promise.race(jobs);
    }
    await Promise.all(jobs);

    // Pass 2: symlinks, last, so no write above could have gone through one.
    for await (const e of mf.entries()) {
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
    for await (const e of mf.entries()) {
      if (e.type !== 'dir' || !wanted(e)) continue;
      const target = targetPathOf(realRoot, e);
      const t = new Date(e.mtime);
      await utimes(target, t, t).catch(() => undefined);
    }
    return report;
  } finally {
    await mf.dispose();
  }
}

async function restoreFile(
  opts: RestoreOptions,
  snapshot: SnapshotInfo,
  e: ManifestEntry,
  realRoot: string,
  target: string | Buffer,
  conflict: ConflictRule,
  onBytes: (n: number) => void,
): Promise<'written' | 'skipped' | 'renamed'> {
  await assertInside(realRoot, target, e.path);
  let final = target;
  let outcome: 'written' | 'renamed' = 'written';
  const existing = await lstat(target).catch(() => undefined);
  if (existing) {
    if (conflict === 'skip') return 'skipped';
    if (conflict === 'keep-both') {
      final = await freeName(target);
      outcome = 'renamed';
    } else if (existing.isDirectory()) {
      throw new StrataError('io', `a folder is in the way at ${e.path}`, 'move it aside and restore again');
    }
  }
  const dir = parentOf(target);
  await mkdir(dir, { recursive: true });
  const tmp =
    typeof dir === 'string'
      ? join(dir, `.strata-restore-${randomBytes(6).toString('hex')}`)
      : Buffer.concat([dir, Buffer.from(`/.strata-restore-${randomBytes(6).toString('hex')}`)]);
  try {
    await download(opts.dest, snapshot, e, tmp, onBytes);
    if (e.mode !== undefined) await chmod(tmp, e.mode & 0o7777);
    const t = new Date(e.mtime);
    await utimes(tmp, t, t);
    await rename(tmp, final);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return outcome;
}

async function freeName(target: string | Buffer): Promise<string | Buffer> {
  const name = typeof target === 'string' ? basename(target) : undefined;
  for (let n = 1; n < 10_000; n++) {
    const candidate =
      name !== undefined
        ? join(parentOf(target) as string, keepBothName(name, n))
        : Buffer.concat([target as Buffer, Buffer.from(` (restored ${n})`)]);
    if (!(await lstat(candidate).catch(() => undefined))) return candidate;
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
): Promise<void> {
  const current = e.key ?? filesKey(snapshot.sourceName, e.path, Buffer.byteLength(dest.label) + 1);
  let lastErr: unknown;
  let mismatch = false;
  for (const key of [current, historyKey(current, e.sha256!)]) {
    try {
      const outcome = await pRetry(() => fetchVerified(dest, key, e, tmp, onBytes), {
        retries: 3,
        minTimeout: 200,
        shouldRetry: (err) => !(err instanceof StrataError),
      });
      if (outcome === 'ok') return;
      if (outcome === 'mismatch') mismatch = true;
    } catch (err) {
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

function integrityError(path: string): StrataError {
  return new StrataError(
    'integrity',
    `${path}: the stored copy does not match its SHA-256`,
    'the object was changed or damaged on the destination; verify the destination',
  );
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
): Promise<'ok' | 'other' | 'mismatch'> {
  const { body, info } = await dest.open(key);
  if ((info.sha256 && info.sha256 !== e.sha256) || info.size !== e.size) {
    body.destroy();
    return 'other';
  }
  const hasher = new HashingStream();
  hasher.on('data', (c: Buffer) => onBytes(c.length));
  await pipeline(body, hasher, createWriteStream(tmp));
  if (hasher.digest() === e.sha256) return 'ok';
  if (!info.sha256) return 'mismatch';
  throw integrityError(e.path);
}
