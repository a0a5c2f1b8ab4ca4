import { StrataError, describeError } from '../../../shared/errors.js';
import type { Destination, ObjectInfo } from '../destinations/types.js';
import { filesKey, historyKey } from '../repository/keys.js';
import { ManifestFile } from '../repository/manifest-reader.js';

const HISTORY_PREFIX = 'history/';

/** history/ objects, by key. */
export async function listHistory(dest: Destination): Promise<Map<string, ObjectInfo>> {
  const out = new Map<string, ObjectInfo>();
  for await (const o of dest.list(HISTORY_PREFIX)) out.set(o.key, o);
  return out;
}

/**
 * Removes from `candidates` every history/ object a manifest still references. A manifest that
 * cannot be read stops the collection (its references are unknown, so nothing may be deleted).
 */
export async function dropReferenced(
  dest: Destination,
  candidates: Map<string, ObjectInfo>,
  manifestKeys: string[],
  tmpDir: string,
): Promise<void> {
  const prefixBytes = Buffer.byteLength(dest.label) + 1;
  for (const key of manifestKeys) {
    if (candidates.size === 0) return;
    let mf: ManifestFile;
    try {
      mf = await ManifestFile.fetch(dest, key, tmpDir);
    } catch (err) {
      throw new StrataError(
        'corrupt',
        `cannot collect unused history: manifest ${key} cannot be read (${describeError(err)})`,
        'nothing was deleted from history/; verify the destination, then remove or repair that snapshot',
      );
    }
    try {
      for await (const e of mf.entries()) {
        if (e.type !== 'file' || !e.sha256) continue;
        const current = e.key ?? filesKey(mf.header.sourceName, e.path, prefixBytes);
        candidates.delete(historyKey(current, e.sha256));
      }
    } finally {
      await mf.dispose();
    }
  }
}
