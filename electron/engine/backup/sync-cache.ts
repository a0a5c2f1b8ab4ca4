import type { Destination } from '../destinations/types.js';
import { ManifestFile } from '../repository/manifest-reader.js';
import { listManifestKeys } from '../repository/snapshot-list.js';
import type { FileIndex } from '../store/file-index.js';
import type { SnapshotCache } from '../store/snapshot-cache.js';

/**
 * Makes the local file status of (source, destination) agree with the destination's latest
 * manifest. When they already agree nothing is read; otherwise (new machine, deleted database,
 * another writer) the status is rebuilt from the manifest, so nothing is uploaded twice and
 * nothing is thought present that is not.
 */
export async function syncStatusWithDestination(opts: {
  dest: Destination;
  destId: string;
  sourceId: string;
  index: FileIndex;
  cache: SnapshotCache;
  tmpDir: string;
}): Promise<string | null> {
  const { dest, destId, sourceId, index, cache } = opts;
  const keys = await listManifestKeys(dest, sourceId);
  const latest = keys.at(-1);
  const latestId = latest?.snapshotId ?? null;
  if (cache.syncedWith(sourceId, destId) === latestId) return latestId;

  index.resetDestination(sourceId, destId);
  if (latest) {
    const mf = await ManifestFile.fetch(dest, latest.key, opts.tmpDir);
    try {
      let batch: (() => void)[] = [];
      const flush = (): void => {
        const ops = batch;
        batch = [];
        index.transaction(() => ops.forEach((op) => op()));
      };
      for await (const e of mf.entries()) {
        if (e.type !== 'file') continue;
        batch.push(() => {
          const id = index.importFile(sourceId, e.path, {
            type: 'file',
            size: e.size ?? 0,
            mtimeMs: e.mtime,
            sha256: e.sha256,
          });
          index.setStatusNow(id, { destId, state: 'synced', sha256: e.sha256, remoteKey: e.key ?? null });
        });
        if (batch.length >= 2000) flush();
      }
      flush();
    } finally {
      await mf.dispose();
    }
  }
  cache.setSyncedWith(sourceId, destId, latestId);
  return latestId;
}
