/**
 * How long retention keeps a replaced version, as shares of snapshots: with daily backups and
 * "7 daily, 4 weekly, 12 monthly", six in seven snapshots live 7 days, the weekly ones 4 weeks,
 * the monthly ones a year. A version replaced by the next backup lives as long as the one snapshot
 * holding it, so this is what the minimum storage duration of IA and archive classes is set against.
 */
import { parseDuration, isKeepAll, type RetentionPolicy } from '../../../shared/retention.js';

export interface LifetimeShare {
  /** Fraction of snapshots (0-1). */
  share: number;
  days: number;
}

const HOUR = 1;
const TIERS = [
  { key: 'keepHourly', hours: HOUR },
  { key: 'keepDaily', hours: 24 },
  { key: 'keepWeekly', hours: 24 * 7 },
  { key: 'keepMonthly', hours: 24 * 30 },
  { key: 'keepYearly', hours: 24 * 365 },
] as const;

/**
 * Shares of snapshots by how long they are kept, for backups every `intervalHours`; null when
 * retention keeps everything (nothing is ever deleted).
 */
export function versionLifetimes(policy: RetentionPolicy, intervalHours: number): LifetimeShare[] | null {
  if (isKeepAll(policy)) return null;
  const every = Math.max(intervalHours, 1 / 60);
  const within = policy.keepWithin ? withinHours(policy.keepWithin) : 0;
  // Every snapshot lives at least until the next backup prunes it, and as long as keep-last and keep-within say.
  let life = Math.max(every, (policy.keepLast ?? 0) * every, within);
  // The last snapshot of each hour, day, week... is also the last of the shorter periods it ends,
  // so the tiers nest: a share of snapshots climbs to each tier and lives as long as its best rule.
  const levels: LifetimeShare[] = [];
  let reached = 1;
  for (const tier of TIERS) {
    const next = Math.min(1, every / tier.hours);
    if (reached - next > 0) levels.push({ share: reached - next, days: life / 24 });
    reached = next;
    const n = policy[tier.key] ?? 0;
    if (n > 0) life = Math.max(life, n * Math.max(every, tier.hours));
  }
  levels.push({ share: reached, days: life / 24 });
  return merge(levels.filter((l) => l.share > 0));
}

/** The shortest time any snapshot is kept, in days; null when nothing is deleted. */
export function shortestKeepDays(lifetimes: LifetimeShare[] | null): number | null {
  if (!lifetimes || !lifetimes.length) return null;
  return Math.min(...lifetimes.map((l) => l.days));
}

function withinHours(text: string): number {
  const d = parseDuration(text);
  return d.years * 365 * 24 + d.months * 30 * 24 + d.days * 24 + d.hours;
}

function merge(levels: LifetimeShare[]): LifetimeShare[] {
  const out: LifetimeShare[] = [];
  for (const l of levels) {
    const same = out.find((o) => Math.abs(o.days - l.days) < 1e-9);
    if (same) same.share += l.share;
    else out.push({ ...l });
  }
  // Shares are differences of ratios: round off the floating-point dust so they sum to 1.
  return out.map((o) => ({ ...o, share: Math.round(o.share * 1e12) / 1e12 }));
}
