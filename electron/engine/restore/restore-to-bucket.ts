/**
 * Restores a snapshot of a bucket source into a bucket: the disaster-recovery path when the
 * primary lost data. Objects are recreated under their original keys (below an optional prefix)
 * with their Content-Type and user metadata; each one is first downloaded and checked against the
 * snapshot's SHA-256, then uploaded, so nothing unverified reaches the bucket.
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import { describeError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
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
}

export async function restoreToBucket(o: BucketRestoreOptions): Promise<RestoreReport> {
  const prefix = (o.prefix ?? '').replace(/^\/+|\/+$/g, '');
  const { mf, report, progress, wanted } = await openForRestore(o.dest, o.snapshot, o.tmpDir, o.filter);
  try {
    o.onProgress?.({ ...progress });
    const limit = pLimit(Math.min(8, o.target.concurrency));
    const jobs: Promise<void>[] = [];
    for await (const e of mf.entries()) {
      if (e.type !== 'file' || !wanted(e)) continue;
      jobs.push(
        limit(async () => {
          const key = prefix ? `${prefix}/${e.path}` : e.path;
          const tmp = join(o.tmpDir, `to-bucket-${randomBytes(6).toString('hex')}`);
          try {
            if ((o.conflict ?? 'skip') === 'skip' && (await o.target.head(key))) {
              report.skipped++;
              return;
            }
            await download(o.dest, o.snapshot, e, tmp, (n) => {
              progress.bytesDone += n;
            });
            await o.target.putStream(key, createReadStream(tmp), {
              size: e.size ?? 0,
              sha256: e.sha256!,
              attributes: { contentType: e.contentType, metadata: e.meta ?? {} },
            });
            report.files++;
            report.bytes += e.size ?? 0;
          } catch (err) {
            report.errors.push({ path: e.path, error: describeError(err) });
          } finally {
            await rm(tmp, { force: true });
            progress.filesDone++;
            o.onProgress?.({ ...progress });
          }
        }),
      );
    }
    await Promise.all(jobs);
    await o.target.flush();
  } finally {
    await mf.dispose();
  }
  return report;
}
