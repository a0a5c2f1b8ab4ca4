/**
 * Counts what a destination stores by listing it: every object under its prefix (files/,
 * history/, snapshots/, strata.json), as the provider bills them. One LIST request per 1,000
 * objects, so it runs after the first backup, then at most monthly, and on demand.
 */
import type { Destination } from '../destinations/types.js';
import { SMALL_OBJECT_BYTES } from './price-table.js';
import type { UsageSample } from '../store/usage-store.js';

export async function measureUsage(dest: Destination, signal?: AbortSignal): Promise<Omit<UsageSample, 'at'>> {
  const out = { bytes: 0, objects: 0, smallObjects: 0, smallBytes: 0, measured: true };
  for await (const o of dest.list('')) {
    if (signal?.aborted) throw new Error('cancelled');
    out.bytes += o.size;
    out.objects++;
    if (o.size < SMALL_OBJECT_BYTES) {
      out.smallObjects++;
      out.smallBytes += o.size;
    }
  }
  return out;
}
