/** One destination's prune as the CLI and the app run it: plan, optionally apply, record it in the run history. */
import { describeRetention, type RetentionPolicy } from '../../../shared/retention.js';
import { describeError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import type { SnapshotInfo } from '../repository/snapshot-list.js';
import type { Catalog, DestinationRecord } from '../store/catalog.js';
import type { PlanStore } from '../store/plan-store.js';
import type { RunStore } from '../store/run-store.js';
import type { SnapshotCache } from '../store/snapshot-cache.js';
import { executePrune, planPrune, type PruneOutcome } from './prune.js';

export interface PruneReport {
  destination: string;
  dryRun: boolean;
  policy: RetentionPolicy;
  policySummary: string;
  /** This machine's snapshots on the destination, newest first, each with the decision. */
  snapshots: {
    snapshotId: string;
    sourceName: string;
    time: number;
    files: number;
    bytes: number;
    keep: boolean;
    reasons: string[];
  }[];
  keep: number;
  remove: number;
  /** Snapshots left alone: other machines' sources, unreadable manifests. */
  foreign: number;
  damaged: number;
  historyObjects: number;
  bytesToFree: number;
  collectBlocked: string | null;
  outcome?: PruneOutcome;
  runId?: number;
}

export interface PruneDeps {
  catalog: Catalog;
  plans: PlanStore;
  runs: RunStore;
  snapshots: SnapshotCache;
  tmpDir: string;
  timeZone: string;
  openDestination(rec: DestinationRecord): Promise<Destination>;
  listSnapshots(destName: string): Promise<SnapshotInfo[]>;
}

export interface PruneOptions {
  dryRun?: boolean;
  now?: number;
  graceMs?: number;
  trigger?: string;
  /** Record into this run (after a scheduled backup) instead of a run of its own. */
  runId?: number;
  onLog?(message: string): void;
}

export async function pruneDestination(
  deps: PruneDeps,
  destName: string,
  opts: PruneOptions = {},
): Promise<PruneReport> {
  const rec = deps.catalog.destination(destName);
  const policy = deps.plans.get(rec.id).retention;
  const snapshots = await deps.listSnapshots(destName);
  const dest = await deps.openDestination(rec);
  const ctx = {
    dest,
    tmpDir: deps.tmpDir,
    timeZone: deps.timeZone,
    ownSources: new Set(deps.catalog.listSources().map((s) => s.id)),
    now: new Date(opts.now ?? Date.now()),
  };
  let runId = opts.runId;
  const own = runId === undefined && !opts.dryRun;
  try {
    const plan = await planPrune(ctx, snapshots, policy);
    const report: PruneReport = {
      destination: rec.name,
      dryRun: !!opts.dryRun,
      policy,
      policySummary: describeRetention(policy),
      snapshots: plan.groups
        .flatMap((g) => [
          ...g.keep.map((k) => ({ s: k.snapshot, keep: true, reasons: k.reasons })),
          ...g.remove.map((s) => ({ s, keep: false, reasons: [] as string[] })),
        ])
        .sort((a, b) => b.s.time.getTime() - a.s.time.getTime() || (a.s.snapshotId < b.s.snapshotId ? 1 : -1))
        .map(({ s, keep, reasons }) => ({
          snapshotId: s.snapshotId,
          sourceName: s.sourceName,
          time: s.time.getTime(),
          files: s.files,
          bytes: s.bytes,
          keep,
          reasons,
        })),
      keep: plan.groups.reduce((a, g) => a + g.keep.length, 0),
      remove: plan.remove.length,
      foreign: plan.foreign.length,
      damaged: plan.damaged.length,
      historyObjects: plan.unreferenced.size,
      bytesToFree: plan.bytesToFree,
      collectBlocked: plan.collectBlocked,
    };
    if (opts.dryRun) return report;

    if (own) runId = deps.runs.start(opts.trigger ?? 'prune', opts.now);
    const log = (level: 'info' | 'warn' | 'error', message: string): void => {
      deps.runs.log(runId ?? null, level, message, { destId: rec.id });
      opts.onLog?.(message);
    };
    log('info', `prune ${rec.name}: ${report.policySummary}; ${report.remove} snapshot(s) to remove`);
    try {
      const outcome = await executePrune(ctx, plan, {
        // Object ages come from the destination's clock: compare them with the real time, not a simulated one.
        now: Date.now(),
        graceMs: opts.graceMs,
        log: (m) => log('info', m),
      });
      deps.snapshots.remove(
        rec.id,
        plan.remove.map((s) => s.snapshotId),
      );
      if (outcome.collectBlocked) log('warn', outcome.collectBlocked);
      if (own) deps.runs.finish(runId!, outcome.collectBlocked ? 'partial' : 'ok', outcome.collectBlocked ?? undefined);
      return { ...report, outcome, ...(runId !== undefined ? { runId } : {}) };
    } catch (err) {
      log('error', `prune ${rec.name} failed: ${describeError(err)}`);
      if (own) deps.runs.finish(runId!, 'failed', describeError(err));
      throw err;
    }
  } finally {
    await dest.close();
  }
}
