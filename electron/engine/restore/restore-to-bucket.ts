/**
 * Restores a snapshot of a bucket source into a bucket: the disaster-recovery path when the
 * primary lost data. Objects are recreated under their original keys (below an optional prefix)
 * with their Content-Type and user metadata; each one is first downloaded and checked (download():
 * by the snapshot's SHA-256, or chunk by chunk from a vault), then uploaded, so nothing unverified
 * reaches the bucket.
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import { describeError } from '../../../shared/errors.js';
import type { Destination, ObjectInfo } from '../destinations/types.js';
import type { ManifestEntry } from '../repository/manifest-schema.js';
import type { SnapshotInfo } from '../repository/snapshot-list.js';
import type { RestoreFilter } from './restore-filter.js';
import { download, openForRestore, type RestoreProgress, type RestoreReport } from './restore.js';

export interface BucketRestoreOptions {
  dest: Destination;
  snapshot: SnapshotInfo;
  /** The bucket written to (rooted at its own prefix). */
  target: Destination;
  /** Below the target's prefix: '' recreates the original keys. */
  prefix?: string | undefined;
  filter?: RestoreFilter | undefined;
  /** 'skip' leaves an existing object alone; 'overwrite' replaces it. */
  conflict?: 'skip' | 'overwrite';
  tmpDir: string;
  onProgress?: ((p: RestoreProgress) => void) | undefined;
  /** Stops between objects; what was uploaded stays. */
  signal?: AbortSignal | undefined;
}

export async function restoreToBucket(o: BucketRestoreOptions): Promise<RestoreReport> {
  const prefix = (o.prefix ?? '').replace(/^\/+|\/+$/g, '');
  const { mf, report, progress, wanted } = await openForRestore(o.dest, o.snapshot, o.tmpDir, o.filter);
  try {
    o.onProgress?.({ ...progress });
    const limit = pLimit(Math.min(8, o.target.concurrency));
    const jobs: Promise<void>[] = [];
    for await (const e of mf.entries()) {
      if (o.signal?.aborted) break;
      if (e.type !== 'file' || !wanted(e)) continue;
      jobs.push(
        limit(async () => {
          if (o.signal?.aborted) return;
          const key = prefix ? `${prefix}/${e.path}` : e.path;
          const tmp = join(o.tmpDir, `to-bucket-${randomBytes(6).toString('hex')}`);
          let read = 0;
          try {
            // An object that already holds this version (its stored SHA-256 says so) is what a
            // restore run again after a stop finds: it is not sent twice, whatever the rule.
            const there = await o.target.head(key);
            if (there && (await holdsVersion(o.target, there, e))) {
              report.identical++;
              report.verified++;
              progress.bytesDone += e.size ?? 0;
              return;
            }
            if (there && (o.conflict ?? 'skip') === 'skip') {
              report.skipped++;
              progress.bytesDone += e.size ?? 0;
              return;
            }
            await download(
              o.dest,
              o.snapshot,
              e,
              tmp,
              (n) => {
                read += n;
                progress.bytesDone += n;
              },
              { signal: o.signal },
            );
            await o.target.putStream(key, createReadStream(tmp), {
              size: e.size ?? 0,
              sha256: e.sha256!,
              // A bucket object's own type and metadata are recreated; a file from a disk has none, and
              // gets Strata's (its SHA-256 in metadata, so a restore run again recognizes it).
              attributes:
                e.contentType !== undefined || e.meta !== undefined
                  ? { contentType: e.contentType, metadata: e.meta ?? {} }
                  : undefined,
            });
            report.files++;
            report.verified++;
            report.bytes += e.size ?? 0;
          } catch (err) {
            if (!o.signal?.aborted) report.errors.push({ path: e.path, error: describeError(err) });
          } finally {
            report.bytesRead += read;
            await rm(tmp, { force: true });
            progress.filesDone++;
            progress.current = e.path;
            o.onProgress?.({ ...progress });
          }
        }),
      );
    }
    await Promise.all(jobs);
    await o.target.flush();
    if (o.signal?.aborted) report.stopped = { code: 'cancelled', message: 'the restore was cancelled' };
  } finally {
    await mf.dispose();
  }
  return report;
}

/**
 * True when the object already holds this entry's content. Objects recreated with their original
 * metadata carry no SHA-256 of Strata's: one of the right size is read back and hashed, which costs
 * no more than sending it again and spares the download from the backup.
 */
async function holdsVersion(target: Destination, there: ObjectInfo, e: ManifestEntry): Promise<boolean> {
  if (there.size !== e.size) return false;
  if (there.sha256) return there.sha256 === e.sha256;
  const { body } = await target.open(there.key);
  const h = createHash('sha256');
  for await (const chunk of body) h.update(chunk as Buffer);
  return h.digest('hex') === e.sha256;
}
