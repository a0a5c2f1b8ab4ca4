import type { Db } from '../store/database.js';
import type { RunStatus } from '../store/run-store.js';

const DAY = 86_400_000;
/** Runs looked at for the success rate and the average duration. */
export const HEALTH_WINDOW = 30;

/** How one destination is doing, from its run history. */
export interface HealthFigures {
  destId: string;
  lastSuccessAt: number | null;
  lastRunAt: number | null;
  lastStatus: RunStatus | null;
  lastError: string | null;
  /** Runs in a row, newest first, in which this destination failed (cancelled runs are skipped). */
  consecutiveFailures: number;
  /** Runs counted over the last HEALTH_WINDOW (not cancelled), and how many of them succeeded. */
  recentRuns: number;
  recentSucceeded: number;
  /** Mean duration of the recent successful runs, ms. */
  averageDurationMs: number | null;
  /** Change of the snapshots' size per week over the last 30 days, bytes; null until a day of history. */
  growthPerWeek: number | null;
  /** Size change in each backup that wrote snapshots, oldest first (all sources summed), for the growth alert. */
  recentGrowth: number[];
  /** Total size of the latest snapshots (all sources). */
  latestSnapshotBytes: number;
}

interface RunRow {
  run_id: number;
  started_at: number;
  finished_at: number | null;
  failed: number;
  partial: number;
  ok: number;
  error: string | null;
}

/** A run's outcome for one destination is its worst source's. */
function runStatus(r: RunRow): RunStatus {
  if (r.failed > 0) return 'failed';
  if (r.partial > 0) return 'partial';
  if (r.ok > 0) return 'ok';
  return 'cancelled';
}

export function destinationHealth(db: Db, destId: string, now: number): HealthFigures {
  const runs = db
    .prepare(
      `SELECT run_id, MIN(started_at) AS started_at, MAX(finished_at) AS finished_at,
         SUM(status = 'failed' OR status = 'interrupted') AS failed, SUM(status = 'partial') AS partial,
         SUM(status = 'ok') AS ok, MAX(error) AS error
       FROM run_results WHERE dest_id = ? AND status NOT IN ('running', 'cancelled')
       GROUP BY run_id ORDER BY run_id DESC LIMIT ?`,
    )
    .all(destId, HEALTH_WINDOW) as RunRow[];
  const statuses = runs.map(runStatus);
  let consecutiveFailures = 0;
  while (consecutiveFailures < statuses.length && statuses[consecutiveFailures] === 'failed') consecutiveFailures++;
  const okRuns = runs.filter((_, i) => statuses[i] === 'ok' || statuses[i] === 'partial');
  const durations = okRuns.filter((r) => r.finished_at !== null).map((r) => r.finished_at! - r.started_at);
  // The newest run in which every source reached this destination without a problem.
  const lastOk = db
    .prepare(
      `SELECT MAX(fin) AS t FROM (
         SELECT MAX(finished_at) AS fin, SUM(status <> 'ok') AS bad FROM run_results
         WHERE dest_id = ? AND status NOT IN ('running', 'cancelled') GROUP BY run_id
       ) WHERE bad = 0`,
    )
    .get(destId) as { t: number | null };

  return {
    destId,
    lastSuccessAt: lastOk.t,
    lastRunAt: runs[0]?.started_at ?? null,
    lastStatus: statuses[0] ?? null,
    lastError: runs[0]?.error ?? null,
    consecutiveFailures,
    recentRuns: runs.length,
    recentSucceeded: statuses.filter((s) => s === 'ok').length,
    averageDurationMs: durations.length ? Math.round(durations.reduce((a, b) => a + b, 0) / durations.length) : null,
    ...sizeHistory(db, destId, now),
  };
}

interface SizeRow {
  run_id: number;
  source_id: string;
  finished_at: number;
  bytes_total: number;
}

/** Snapshot sizes over time: the weekly trend and the change each run brought. */
function sizeHistory(
  db: Db,
  destId: string,
  now: number,
): Pick<HealthFigures, 'growthPerWeek' | 'recentGrowth' | 'latestSnapshotBytes'> {
  const rows = db
    .prepare(
      `SELECT run_id, source_id, finished_at, bytes_total FROM run_results
       WHERE dest_id = ? AND snapshot_id IS NOT NULL AND finished_at IS NOT NULL AND finished_at >= ?
       ORDER BY run_id`,
    )
    .all(destId, now - 30 * DAY) as SizeRow[];
  const bySource = new Map<string, SizeRow[]>();
  for (const r of rows) bySource.set(r.source_id, [...(bySource.get(r.source_id) ?? []), r]);

  let rate = 0;
  let measured = false;
  let latest = 0;
  const deltaByRun = new Map<number, number>();
  for (const series of bySource.values()) {
    const first = series[0]!;
    const last = series.at(-1)!;
    latest += last.bytes_total;
    if (last.finished_at - first.finished_at >= DAY) {
      rate += (last.bytes_total - first.bytes_total) / (last.finished_at - first.finished_at);
      measured = true;
    }
    for (let i = 1; i < series.length; i++) {
      const d = series[i]!.bytes_total - series[i - 1]!.bytes_total;
      deltaByRun.set(series[i]!.run_id, (deltaByRun.get(series[i]!.run_id) ?? 0) + d);
    }
  }
  return {
    growthPerWeek: measured ? Math.round(rate * 7 * DAY) : null,
    recentGrowth: [...deltaByRun.entries()].sort((a, b) => a[0] - b[0]).map(([, d]) => d),
    latestSnapshotBytes: latest,
  };
}
