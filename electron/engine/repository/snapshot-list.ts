import { StrataError, describeError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import { SNAPSHOTS_PREFIX, parseManifestKey, snapshotTime } from './keys.js';
import { ManifestFile } from './manifest-reader.js';
import type { ManifestHeader, ManifestSummary } from './manifest-schema.js';

export interface SnapshotInfo {
  snapshotId: string;
  sourceId: string;
  sourceName: string;
  time: Date;
  manifestKey: string;
  files: number;
  bytes: number;
  errors: number;
  /** Set when the manifest could not be read; such a snapshot cannot be restored. */
  damaged?: string | undefined;
}

export interface KnownSnapshot {
  snapshotId: string;
  sourceName: string;
  files: number;
  bytes: number;
  errors: number;
}

/** Manifest keys under snapshots/, optionally of one source, oldest first. */
export async function listManifestKeys(
  dest: Destination,
  sourceId?: string,
): Promise<{ key: string; sourceId: string; snapshotId: string }[]> {
  const out: { key: string; sourceId: string; snapshotId: string }[] = [];
  const prefix = sourceId ? `${SNAPSHOTS_PREFIX}${sourceId}/` : SNAPSHOTS_PREFIX;
  for await (const o of dest.list(prefix)) {
    const parsed = parseManifestKey(o.key);
    if (parsed) out.push({ key: o.key, ...parsed });
  }
  return out.sort((a, b) => (a.snapshotId < b.snapshotId ? -1 : a.snapshotId > b.snapshotId ? 1 : 0));
}

/**
 * Every snapshot on a destination. Manifests not in `known` (the local cache) are downloaded
 * and checked; one damaged manifest is reported, not fatal to the listing.
 */
export async function listSnapshots(
  dest: Destination,
  tmpDir: string,
  known: Map<string, KnownSnapshot>,
  onRead?: (info: SnapshotInfo) => void,
): Promise<SnapshotInfo[]> {
  const out: SnapshotInfo[] = [];
  for (const k of await listManifestKeys(dest)) {
    const time = snapshotTime(k.snapshotId) ?? new Date(0);
    const cached = known.get(k.snapshotId);
    if (cached) {
      out.push({
        ...k,
        manifestKey: k.key,
        time,
        sourceName: cached.sourceName,
        files: cached.files,
        bytes: cached.bytes,
        errors: cached.errors,
      });
      continue;
    }
    try {
      const mf = await ManifestFile.fetch(dest, k.key, tmpDir);
      await mf.dispose();
      const info = infoOf(k.key, mf.header, mf.summary);
      onRead?.(info);
      out.push(info);
    } catch (err) {
      if (!(err instanceof StrataError)) throw err;
      if (['auth', 'permission', 'network', 'bucket-missing', 'region', 'clock-skew'].includes(err.code)) throw err;
      out.push({
        ...k,
        manifestKey: k.key,
        time,
        sourceName: '?',
        files: 0,
        bytes: 0,
        errors: 0,
        damaged: describeError(err),
      });
    }
  }
  return out;
}

export function infoOf(key: string, header: ManifestHeader, summary: ManifestSummary): SnapshotInfo {
  return {
    snapshotId: header.snapshotId,
    sourceId: header.sourceId,
    sourceName: header.sourceName,
    time: snapshotTime(header.snapshotId) ?? new Date(header.startedAt),
    manifestKey: key,
    files: summary.files,
    bytes: summary.bytes,
    errors: summary.errorCount,
  };
}
