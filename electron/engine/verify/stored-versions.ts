/**
 * Every distinct stored version the kept snapshots of a destination reference: one per
 * (files/ key, SHA-256), with the snapshots that hold it. Many snapshots share most versions,
 * so a destination is checked once per version, not once per snapshot entry.
 */
import type { Destination } from '../destinations/types.js';
import { filesKey, historyKey } from '../repository/keys.js';
import { ManifestFile } from '../repository/manifest-reader.js';
import type { SnapshotInfo } from '../repository/snapshot-list.js';

export interface StoredVersion {
  /** The files/ key of the path (where the current content lives). */
  current: string;
  /** Where a superseded copy of this version lives. */
  history: string;
  sha256: string;
  size: number;
  path: string;
  sourceName: string;
  /** Snapshots holding this version. */
  snapshotIds: string[];
  /** Vault layout: the blob ids of the content, in order. */
  chunks?: string[] | undefined;
}

export interface CollectedVersions {
  versions: Map<string, StoredVersion>;
  /** Snapshots whose manifest could not be read: nothing of them can be verified. */
  unreadable: { snapshotId: string; error: string }[];
}

export async function collectVersions(
  dest: Destination,
  snapshots: SnapshotInfo[],
  tmpDir: string,
  signal?: AbortSignal,
): Promise<CollectedVersions> {
  const versions = new Map<string, StoredVersion>();
  const unreadable: CollectedVersions['unreadable'] = [];
  const prefixBytes = Buffer.byteLength(dest.label) + 1;
  for (const snap of snapshots) {
    if (signal?.aborted) break;
    if (snap.damaged) {
      unreadable.push({ snapshotId: snap.snapshotId, error: snap.damaged });
      continue;
    }
    let manifest: ManifestFile;
    try {
      manifest = await ManifestFile.fetch(dest, snap.manifestKey, tmpDir);
    } catch (err) {
      unreadable.push({ snapshotId: snap.snapshotId, error: err instanceof Error ? err.message : String(err) });
      continue;
    }
    try {
      for await (const e of manifest.entries()) {
        if (e.type !== 'file' || !e.sha256) continue;
        const current = e.key ?? filesKey(snap.sourceName, e.path, prefixBytes);
        const id = `${current}\0${e.sha256}`;
        const known = versions.get(id);
        if (known) known.snapshotIds.push(snap.snapshotId);
        else {
          versions.set(id, {
            current,
            history: historyKey(current, e.sha256),
            sha256: e.sha256,
            size: e.size ?? 0,
            path: e.path,
            sourceName: snap.sourceName,
            snapshotIds: [snap.snapshotId],
            ...(e.chunks ? { chunks: e.chunks } : {}),
          });
        }
      }
    } catch (err) {
      unreadable.push({ snapshotId: snap.snapshotId, error: err instanceof Error ? err.message : String(err) });
    } finally {
      await manifest.dispose();
    }
  }
  return { versions, unreadable };
}
