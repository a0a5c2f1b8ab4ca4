import { createHash } from 'node:crypto';

/** Where things live inside a destination's prefix (DESIGN.md section 3). */
export const CONFIG_KEY = 'strata.json';
export const SNAPSHOTS_PREFIX = 'snapshots/';
const FILES = 'files/';
const HISTORY = 'history/';
/** S3 caps keys at 1024 bytes; leave room for the prefix and the history suffix ('/' + sha256). */
const MAX_KEY_BYTES = 1024;
const HISTORY_SUFFIX_BYTES = 65;

export function manifestPrefix(sourceId: string): string {
  return `${SNAPSHOTS_PREFIX}${sourceId}/`;
}

export function manifestKey(sourceId: string, snapshotId: string): string {
  return `${manifestPrefix(sourceId)}${snapshotId}.json.gz`;
}

/** Parses 'snapshots/<source-id>/<snapshot-id>.json.gz'; undefined for anything else. */
export function parseManifestKey(key: string): { sourceId: string; snapshotId: string } | undefined {
  const m = /^snapshots\/([^/]+)\/([^/]+)\.json\.gz$/.exec(key);
  return m ? { sourceId: m[1]!, snapshotId: m[2]! } : undefined;
}

/**
 * The 'mirror' key of a path's current content. Paths too long for a key go under
 * `files/<source>/_long/<sha256(path)>`; the manifest then records the key explicitly.
 */
export function filesKey(sourceName: string, path: string, prefixBytes = 0): string {
  const key = `${FILES}${sourceName}/${path}`;
  if (Buffer.byteLength(key) + prefixBytes + HISTORY_SUFFIX_BYTES + 1 <= MAX_KEY_BYTES) return key;
  return `${FILES}${sourceName}/_long/${createHash('sha256').update(path).digest('hex')}`;
}

/** Superseded content of a files/ key, named by its own SHA-256. */
export function historyKey(currentKey: string, sha256: string): string {
  if (!currentKey.startsWith(FILES)) throw new Error(`not a files/ key: ${currentKey}`);
  return `${HISTORY}${currentKey.slice(FILES.length)}/${sha256}`;
}

/** Snapshot ids sort by time, to the millisecond: 20261122T023653.123Z-1a2b3c4d. */
export function newSnapshotId(now: Date, rand: string): string {
  return `${now.toISOString().replace(/[-:]/g, '')}-${rand}`;
}

export const SNAPSHOT_ID_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z-[0-9a-f]{8}$/;

export function snapshotTime(snapshotId: string): Date | undefined {
  const m = SNAPSHOT_ID_PATTERN.exec(snapshotId);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!));
}
