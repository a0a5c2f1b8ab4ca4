/**
 * Keeps each destination's usage samples current: a backup adds what it uploaded (or, when no
 * count is recent, counts the destination by listing it), a prune takes off what it freed.
 * Counting is exact; carrying forward between counts only drifts by what runs do not report
 * (manifest sizes, objects removed by hand), and the monthly count resets that drift.
 */
import type { Destination } from '../destinations/types.js';
import type { DestinationRecord } from '../store/catalog.js';
import type { RunResult } from '../store/run-store.js';
import type { UsageSample, UsageStore } from '../store/usage-store.js';
import { measureUsage } from './measure-usage.js';

/** A count older than this is refreshed after the next backup. */
export const RECOUNT_AFTER_MS = 30 * 24 * 3600_000;

export interface UsageTrackingDeps {
  usage: UsageStore;
  openDestination(rec: DestinationRecord): Promise<Destination>;
  now(): number;
}

export async function countUsage(deps: UsageTrackingDeps, rec: DestinationRecord): Promise<UsageSample> {
  const dest = await deps.openDestination(rec);
  const sample = { ...(await measureUsage(dest)), at: deps.now() };
  deps.usage.add(rec.id, sample);
  return sample;
}

/**
 * After a backup: per destination, a count when none is recent, else the last sample plus this
 * run's uploads (one object per uploaded file, one per snapshot manifest). Never throws: a
 * failed count is reported to `log` and the estimate keeps its last figures.
 */
export async function trackBackup(
  deps: UsageTrackingDeps,
  dests: DestinationRecord[],
  results: RunResult[],
  log: (destId: string, message: string) => void,
): Promise<void> {
  const now = deps.now();
  for (const rec of dests) {
    const mine = results.filter((r) => r.destId === rec.id);
    if (!mine.length) continue;
    // A destination that could not be reached this time is not listed either: its count waits.
    const reached = mine.some((r) => r.status !== 'failed');
    const measured = deps.usage.latestMeasured(rec.id);
    if (reached && (!measured || now - measured.at >= RECOUNT_AFTER_MS)) {
      try {
        await countUsage(deps, rec);
        continue;
      } catch (err) {
        log(rec.id, `could not count what ${rec.name} stores for the cost estimate: ${(err as Error).message}`);
      }
    }
    // A vault stores new chunks in packs: what it added, not the files it read.
    const bytes = mine.reduce((a, r) => a + (r.storedBytes ?? r.bytesUploaded), 0);
    const objects = mine.reduce((a, r) => a + (r.storedObjects ?? r.filesUploaded) + (r.snapshotId ? 1 : 0), 0);
    if (bytes > 0 || objects > 0 || !deps.usage.latest(rec.id)) carryForward(deps, rec.id, now, bytes, objects);
  }
}

/** After a prune: what it freed comes off the last sample. */
export function trackPrune(deps: UsageTrackingDeps, destId: string, freed: { bytes: number; objects: number }): void {
  if (freed.bytes === 0 && freed.objects === 0) return;
  carryForward(deps, destId, deps.now(), -freed.bytes, -freed.objects);
}

function carryForward(deps: UsageTrackingDeps, destId: string, at: number, bytes: number, objects: number): void {
  const last = deps.usage.latest(destId) ?? { bytes: 0, objects: 0, smallObjects: 0, smallBytes: 0 };
  // Small objects are not told apart in run figures: they keep their last counted share.
  const share = last.objects > 0 ? last.smallObjects / last.objects : 0;
  const smallShare = last.bytes > 0 ? last.smallBytes / last.bytes : 0;
  const nextObjects = Math.max(0, last.objects + objects);
  const nextBytes = Math.max(0, last.bytes + bytes);
  deps.usage.add(destId, {
    at: Math.max(at, (deps.usage.latest(destId)?.at ?? 0) + 1),
    bytes: nextBytes,
    objects: nextObjects,
    smallObjects: Math.min(nextObjects, Math.max(0, last.smallObjects + objects * share)),
    smallBytes: Math.min(nextBytes, Math.max(0, last.smallBytes + bytes * smallShare)),
    measured: false,
  });
}
