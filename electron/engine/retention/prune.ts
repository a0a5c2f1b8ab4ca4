/**
 * Prune, in the order that keeps every remaining snapshot whole: choose (retention policy),
 * delete the manifests of the snapshots let go, then collect history/ objects that no remaining
 * manifest references. Objects younger than the grace period are never collected, so a backup
 * running meanwhile (here or on another machine) keeps whatever it has just written.
 */
import type { RetentionPolicy } from '../../../shared/retention.js';
import type { Destination, ObjectInfo } from '../destinations/types.js';
import { listManifestKeys, type SnapshotInfo } from '../repository/snapshot-list.js';
import { dropReferenced, listHistory } from './collect-history.js';
import { selectRetention } from './select.js';
import { collectVault, type CollectOutcome } from '../vault/collect.js';
import { VaultDestination } from '../vault/vault-destination.js';

/** A day: longer than any plausible gap between a backup copying an object and writing its manifest. */
export const DEFAULT_GRACE_MS = 24 * 3600_000;

export interface PruneGroup {
  sourceId: string;
  sourceName: string;
  keep: { snapshot: SnapshotInfo; reasons: string[] }[];
  remove: SnapshotInfo[];
}

export interface PrunePlan {
  groups: PruneGroup[];
  /** Snapshots of sources this machine does not back up: another machine's to prune. */
  foreign: SnapshotInfo[];
  /** Manifests that could not be read: kept, and they block collecting history/. */
  damaged: SnapshotInfo[];
  remove: SnapshotInfo[];
  /** history/ objects no kept snapshot references, and their size. */
  unreferenced: Map<string, ObjectInfo>;
  /** Size of the manifests to remove. */
  manifestBytes: number;
  bytesToFree: number;
  /** Why history/ cannot be collected this time, if it cannot. */
  collectBlocked: string | null;
}

export interface PruneContext {
  dest: Destination;
  tmpDir: string;
  timeZone: string;
  /** Sources of this machine (their ids): only their snapshots are subject to its policy. */
  ownSources: Set<string>;
  /** Snapshots stamped after this (a skewed clock) do not count as the newest. */
  now: Date;
}

export async function planPrune(
  ctx: PruneContext,
  snapshots: SnapshotInfo[],
  policy: RetentionPolicy,
): Promise<PrunePlan> {
  const damaged = snapshots.filter((s) => s.damaged);
  const readable = snapshots.filter((s) => !s.damaged);
  const foreign = readable.filter((s) => !ctx.ownSources.has(s.sourceId));
  const bySource = new Map<string, SnapshotInfo[]>();
  for (const s of readable.filter((x) => ctx.ownSources.has(x.sourceId))) {
    bySource.set(s.sourceId, [...(bySource.get(s.sourceId) ?? []), s]);
  }
  const groups: PruneGroup[] = [];
  for (const [sourceId, list] of bySource) {
    const picked = selectRetention(
      list.map((s) => ({ id: s.snapshotId, time: s.time, info: s })),
      policy,
      { timeZone: ctx.timeZone, now: ctx.now },
    );
    groups.push({
      sourceId,
      sourceName: list.at(-1)!.sourceName,
      keep: picked.keep.map((k) => ({ snapshot: k.snapshot.info, reasons: k.reasons })),
      remove: picked.remove.map((r) => r.info),
    });
  }
  const remove = groups.flatMap((g) => g.remove);
  const removed = new Set(remove.map((s) => s.manifestKey));
  const kept = snapshots.filter((s) => !removed.has(s.manifestKey));

  const unreferenced = await listHistory(ctx.dest);
  let collectBlocked: string | null = null;
  if (damaged.length) {
    collectBlocked = `${damaged.length} snapshot manifest(s) cannot be read, so history/ is left alone`;
    unreferenced.clear();
  } else {
    try {
      await dropReferenced(
        ctx.dest,
        unreferenced,
        kept.map((s) => s.manifestKey),
        ctx.tmpDir,
      );
    } catch (err) {
      collectBlocked = (err as Error).message;
      unreferenced.clear();
    }
  }
  const manifestBytes = await sizes(ctx.dest, removed);
  const bytesToFree = manifestBytes + [...unreferenced.values()].reduce((a, o) => a + o.size, 0);
  return { groups, foreign, damaged, remove, unreferenced, manifestBytes, bytesToFree, collectBlocked };
}

export interface PruneOutcome {
  snapshotsRemoved: number;
  objectsDeleted: number;
  bytesFreed: number;
  /** Unreferenced but younger than the grace period (or, in a vault, condemned): collected by a later prune. */
  objectsDeferred: number;
  collectBlocked: string | null;
  /** A vault's pack collection (vault/collect.ts), when the destination is a vault. */
  vault?: CollectOutcome;
}

export async function executePrune(
  ctx: PruneContext,
  plan: PrunePlan,
  opts: { now: number; graceMs?: number; log?: (message: string) => void },
): Promise<PruneOutcome> {
  const log = opts.log ?? (() => undefined);
  const grace = opts.graceMs ?? DEFAULT_GRACE_MS;
  const removedKeys = plan.remove.map((s) => s.manifestKey);
  // Manifests first: from this point those snapshots no longer exist, every other one is untouched.
  for (let i = 0; i < removedKeys.length; i += 500) await ctx.dest.delete(removedKeys.slice(i, i + 500));
  await ctx.dest.flush();
  if (removedKeys.length) log(`removed ${removedKeys.length} snapshot(s)`);

  const outcome: PruneOutcome = {
    snapshotsRemoved: removedKeys.length,
    objectsDeleted: 0,
    bytesFreed: plan.manifestBytes,
    objectsDeferred: 0,
    collectBlocked: plan.collectBlocked,
  };
  if (ctx.dest instanceof VaultDestination) {
    if (!plan.collectBlocked) await collectPacks(ctx.dest, ctx, outcome, { ...opts, log });
    return outcome;
  }
  if (plan.collectBlocked || plan.unreferenced.size === 0) return outcome;

  // Manifests written since the plan (a backup finishing meanwhile) may reference candidates.
  const planned = new Set([...plan.groups.flatMap((g) => g.keep.map((k) => k.snapshot.manifestKey))]);
  for (const s of [...plan.foreign, ...plan.damaged]) planned.add(s.manifestKey);
  const fresh = (await listManifestKeys(ctx.dest)).map((k) => k.key).filter((k) => !planned.has(k));
  const candidates = new Map(plan.unreferenced);
  try {
    await dropReferenced(ctx.dest, candidates, fresh, ctx.tmpDir);
  } catch (err) {
    outcome.collectBlocked = (err as Error).message;
    return outcome;
  }
  // Ages are read again now: an object rewritten since the plan is young again.
  const current = await listHistory(ctx.dest);
  const doomed: ObjectInfo[] = [];
  for (const key of candidates.keys()) {
    const o = current.get(key);
    if (!o) continue;
    if (o.lastModified && opts.now - o.lastModified.getTime() < grace) outcome.objectsDeferred++;
    else doomed.push(o);
  }
  for (let i = 0; i < doomed.length; i += 500) {
    const batch = doomed.slice(i, i + 500);
    await ctx.dest.delete(batch.map((o) => o.key));
    outcome.objectsDeleted += batch.length;
    outcome.bytesFreed += batch.reduce((a, o) => a + o.size, 0);
  }
  await ctx.dest.flush();
  log(`collected ${outcome.objectsDeleted} history object(s) no snapshot needs any more`);
  if (outcome.objectsDeferred) {
    log(
      `${outcome.objectsDeferred} unused history object(s) are younger than the grace period and wait for a later prune`,
    );
  }
  return outcome;
}

/** A vault has no history/: its unused content is packs, collected in two phases. */
async function collectPacks(
  vault: VaultDestination,
  ctx: PruneContext,
  outcome: PruneOutcome,
  opts: { now: number; graceMs?: number; log: (message: string) => void },
): Promise<void> {
  const v = await collectVault(vault, {
    tmpDir: ctx.tmpDir,
    now: opts.now,
    graceMs: opts.graceMs ?? DEFAULT_GRACE_MS,
    log: opts.log,
  });
  outcome.vault = v;
  outcome.objectsDeleted += v.packsDeleted;
  outcome.bytesFreed += v.bytesFreed;
  outcome.objectsDeferred += v.packsCondemned + v.packsWaiting;
  outcome.collectBlocked = v.blocked;
}

async function sizes(dest: Destination, keys: Set<string>): Promise<number> {
  if (keys.size === 0) return 0;
  let total = 0;
  for await (const o of dest.list('snapshots/')) if (keys.has(o.key)) total += o.size;
  return total;
}
