/**
 * Repair from another destination: a version one destination lost (or holds damaged) is copied
 * from another that holds the same SHA-256, re-hashed on the way, so a damaged copy never
 * spreads. It goes back where the mirror layout looks for it: files/ when that key is free,
 * else history/ under its SHA-256.
 */
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { StrataError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import { filesKey, historyKey } from '../repository/keys.js';
import { download } from '../restore/restore.js';
import type { SnapshotInfo } from '../repository/snapshot-list.js';
import type { StoredVersion } from './stored-versions.js';

/** The key a version would have on another destination (long paths depend on the prefix). */
function keysOn(dest: Destination, v: StoredVersion): { current: string; history: string } {
  const current = v.current.includes('/_long/')
    ? v.current
    : filesKey(v.sourceName, v.path, Buffer.byteLength(dest.label) + 1);
  return { current, history: historyKey(current, v.sha256) };
}

/** Whether `dest` holds this version: a history/ copy (named by its SHA-256) or files/ with that SHA-256. */
export async function holds(dest: Destination, v: StoredVersion): Promise<boolean> {
  const keys = keysOn(dest, v);
  const hist = await dest.head(keys.history);
  if (hist && hist.size === v.size) return true;
  const cur = await dest.head(keys.current);
  if (!cur || cur.size !== v.size) return false;
  if (cur.sha256) return cur.sha256 === v.sha256;
  // A local disk keeps no checksum beside the file: read it.
  return (await dest.head(keys.current, { withSha256: true }))?.sha256 === v.sha256;
}

/** `damagedKey`: where the target holds a damaged copy, replaced in place. */
export async function repairVersion(
  target: Destination,
  from: Destination,
  v: StoredVersion,
  tmpDir: string,
  damagedKey?: string,
): Promise<void> {
  const tmp = join(tmpDir, `repair-${randomBytes(6).toString('hex')}`);
  try {
    const onSource = keysOn(from, v);
    // download() finds the version in files/ or history/ and checks its SHA-256.
    await download(
      from,
      { sourceName: v.sourceName } as SnapshotInfo,
      { path: v.path, type: 'file', size: v.size, mtime: 0, sha256: v.sha256, key: onSource.current },
      tmp,
      () => undefined,
    );
    const size = (await stat(tmp)).size;
    if (size !== v.size)
      throw new StrataError('integrity', `${v.path}: the copy on the other destination has the wrong size`);
    const key = damagedKey ?? ((await target.head(v.current)) ? v.history : v.current);
    await target.putStream(key, createReadStream(tmp), { size, sha256: v.sha256 });
    await target.flush();
  } finally {
    await rm(tmp, { force: true });
  }
}
