/**
 * Month-by-month figures for the dashboard chart: one destination's history or all of them added
 * up, month labels, and a round top for the byte axis. Pure.
 */
import type { DestinationCost } from '../../../shared/api/cost.js';

export interface MonthPoint {
  /** "2026-11" */
  month: string;
  bytes: number;
  cost: number;
}

/** Adds the destinations' histories month by month (a destination missing a month held nothing then), oldest first, at most 12. */
export function combinedHistory(destinations: readonly DestinationCost[]): MonthPoint[] {
  const byMonth = new Map<string, MonthPoint>();
  for (const d of destinations) {
    for (const h of d.history) {
      const p = byMonth.get(h.month) ?? { month: h.month, bytes: 0, cost: 0 };
      p.bytes += h.bytes;
      p.cost += h.cost;
      byMonth.set(h.month, p);
    }
  }
  return [...byMonth.values()].sort((a, b) => a.month.localeCompare(b.month)).slice(-12);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2026-11" → "Nov"; with the year ("Nov 2026") when asked. */
export function monthLabel(month: string, withYear = false): string {
  const [year, m] = month.split('-');
  const name = MONTHS[Number(m) - 1] ?? month;
  return withYear ? `${name} ${year}` : name;
}

/** Tops whose half is a round figure too (the chart labels both), × 10ⁿ. */
const STEPS = [1, 1.2, 1.6, 2, 3, 4, 5, 6, 8, 10];

/** The smallest round figure at or above `n` (the chart's top line): 50.4 GB → 60 GB; 1 for nothing. */
export function niceCeiling(n: number): number {
  if (!(n > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  // Rounded: 1.2 × 10⁹ must come out as 1200000000, not 1200000000.0000002.
  for (const step of STEPS) if (step * power >= n * (1 - 1e-12)) return Math.round(step * power * 1e6) / 1e6;
  return 10 * power;
}
