import { StrataError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import { ManifestFile } from '../repository/manifest-reader.js';
import { listManifestKeys } from '../repository/snapshot-list.js';

/**
 * Before a source's first snapshot on a destination: refuse when another snapshot series there
 * already uses the same source name, because both would share `files/<name>/`. The user either
 * renames the source or adopts that series (same id) to continue it, e.g. on a new machine.
 */
export async function assertNoNameClash(
  dest: Destination,
  sourceId: string,
  sourceName: string,
  tmpDir: string,
): Promise<void> {
  const latestBySeries = new Map<string, string>();
  for (const k of await listManifestKeys(dest)) {
    if (k.sourceId !== sourceId) latestBySeries.set(k.sourceId, k.key);
  }
  for (const [otherId, key] of latestBySeries) {
    let name: string;
    try {
      const mf = await ManifestFile.fetch(dest, key, tmpDir);
      name = mf.header.sourceName;
      await mf.dispose();
    } catch {
      continue; // a damaged manifest names nobody
    }
    if (name === sourceName) {
      throw new StrataError(
        'config',
        `${dest.label} already holds snapshots of another source named '${sourceName}' (series ${otherId})`,
        `to continue that series here, re-add the source with 'strata source add local ${sourceName} PATH --id ${otherId}'; otherwise give this source another name`,
      );
    }
  }
}
