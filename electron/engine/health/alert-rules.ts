import { formatBytes } from '../../../shared/format-bytes.js';
import type { AlertCondition } from '../store/alert-store.js';
import type { HealthFigures } from './destination-health.js';

export const FAILURES_IN_A_ROW = 3;

export interface GrowthRule {
  /** Growth below this never alerts (small data sets swing a lot in relative terms). */
  minBytes: number;
  /** Times the usual (median) growth per backup. */
  factor: number;
  /** Share of the data already stored. */
  minShare: number;
  /** Backups of history needed before anything is "unusual". */
  minHistory: number;
}

export const DEFAULT_GROWTH_RULE: GrowthRule = { minBytes: 100e6, factor: 4, minShare: 0.1, minHistory: 3 };

export interface AlertInputs {
  now: number;
  /** The destination is ticked somewhere or scheduled: it is meant to hold a copy. */
  inUse: boolean;
  staleAfterMs: number;
  /** When the destination was added (never backed up yet counts from here). */
  createdAt: number;
  /** The latest verification, once verification exists; null when never verified. */
  verification: { ok: boolean; at: number; message: string } | null;
  growth?: GrowthRule;
}

/** The alerts that hold for one destination now. Pure: the figures and the clock decide. */
export function alertConditions(h: HealthFigures, i: AlertInputs): AlertCondition[] {
  const out: AlertCondition[] = [];
  if (h.consecutiveFailures >= FAILURES_IN_A_ROW) {
    out.push({
      kind: 'failures',
      message: `${h.consecutiveFailures} backups in a row failed${h.lastError ? `; the last: ${h.lastError}` : ''}`,
    });
  }
  if (i.inUse) {
    const since = h.lastSuccessAt ?? i.createdAt;
    if (i.now - since > i.staleAfterMs) {
      out.push({
        kind: 'stale',
        message: h.lastSuccessAt
          ? `no successful backup for ${duration(i.now - since)} (alert after ${duration(i.staleAfterMs)})`
          : `no successful backup since it was added ${duration(i.now - since)} ago (alert after ${duration(i.staleAfterMs)})`,
      });
    }
  }
  if (i.verification && !i.verification.ok) {
    out.push({ kind: 'verify-failed', message: `verification failed: ${i.verification.message}` });
  }
  const growth = unusualGrowth(h.recentGrowth, h.latestSnapshotBytes, i.growth ?? DEFAULT_GROWTH_RULE);
  if (growth) out.push({ kind: 'growth', message: growth });
  return out;
}

/** The latest backup's growth when it is far beyond the usual: mass changes (ransomware, a mistake) show here first. */
export function unusualGrowth(deltas: number[], total: number, rule: GrowthRule): string | null {
  const last = deltas.at(-1);
  const before = deltas.slice(0, -1).slice(-10);
  if (last === undefined || last <= 0 || before.length < rule.minHistory) return null;
  const usual = median(before.map(Math.abs));
  const previousTotal = total - last;
  if (last < rule.minBytes || last <= usual * rule.factor || last < previousTotal * rule.minShare) return null;
  const times = usual > 0 ? `, ${Math.round(last / usual)}× the usual ${formatBytes(usual)}` : '';
  return `the latest backup grew the stored data by ${formatBytes(last)}${times}: check that the change was intended`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** "3 days", "5 hours", "40 minutes". */
export function duration(ms: number): string {
  const h = ms / 3600_000;
  if (h >= 48) return `${Math.floor(h / 24)} days`;
  if (h >= 1) return `${Math.floor(h)} hour${Math.floor(h) === 1 ? '' : 's'}`;
  return `${Math.max(1, Math.floor(ms / 60_000))} minutes`;
}
