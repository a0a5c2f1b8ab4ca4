/**
 * Which snapshots a retention policy keeps: restic `forget` (internal/data/snapshot_policy.go),
 * rule for rule, so people who know restic get no surprises. Pure: no I/O, no clock unless given.
 */
import { StrataError } from '../../../shared/errors.js';
import {
  COUNT_RULES,
  formatDuration,
  isKeepAll,
  parseDuration,
  RetentionPolicy,
  type CountRule,
  type Duration,
} from '../../../shared/retention.js';
import { HOUR_MS, isoWeek, ZoneCalendar, type WallTime } from './calendar.js';

export interface RetentionOptions {
  /** IANA zone whose calendar defines hours, days, weeks, months and years. */
  timeZone: string;
  /** When given, snapshots after it do not count as the newest for keepWithin (restic ignores clock-skewed ones). */
  now?: Date;
}

export interface RetentionSelection<T> {
  /** Newest first, each with why it stays ('last snapshot', 'daily snapshot', 'within 30d'...). */
  keep: { snapshot: T; reasons: string[] }[];
  /** Newest first. */
  remove: T[];
}

/** Bucket of a snapshot for one rule: a new value going back in time means a new hour/day/week... */
type Bucker = (w: WallTime) => number;

/** null: keepLast, whose bucket is the position in the list, so every snapshot is a new one. */
const BUCKERS: Record<CountRule, Bucker | null> = {
  keepLast: null,
  keepHourly: (w) => w.year * 1_000_000 + w.month * 10_000 + w.day * 100 + w.hour,
  keepDaily: (w) => w.year * 10_000 + w.month * 100 + w.day,
  keepWeekly: (w) => {
    const { year, week } = isoWeek(w.year, w.month, w.day);
    return year * 100 + week;
  },
  keepMonthly: (w) => w.year * 100 + w.month,
  keepYearly: (w) => w.year,
};

export function selectRetention<T extends { id: string; time: Date }>(
  snapshots: readonly T[],
  policy: RetentionPolicy,
  opts: RetentionOptions,
): RetentionSelection<T> {
  const checked = checkPolicy(policy);
  const calendar = new ZoneCalendar(opts.timeZone);
  for (const s of snapshots) {
    if (Number.isNaN(s.time.getTime())) throw new StrataError('internal', `snapshot ${s.id} has no valid time`);
  }
  const list = [...snapshots].sort(newestFirst);
  if (isKeepAll(checked)) {
    return { keep: list.map((snapshot) => ({ snapshot, reasons: ['policy keeps everything'] })), remove: [] };
  }

  const rules = COUNT_RULES.filter(({ key }) => (checked[key] ?? 0) > 0).map(({ key, word }) => ({
    bucker: BUCKERS[key],
    left: checked[key]!,
    last: -1,
    reason: `${word} snapshot`,
  }));
  const within = checked.keepWithin === undefined ? undefined : parseDuration(checked.keepWithin);
  const cutoff = within && withinCutoff(list, within, calendar, opts.now);

  const keep: RetentionSelection<T>['keep'] = [];
  const remove: T[] = [];
  list.forEach((snapshot, nr) => {
    const t = snapshot.time.getTime();
    let wall: WallTime | undefined; // Intl is the slow part, and keepLast and keepWithin never need it
    const oldest = nr === list.length - 1;
    const reasons: string[] = [];
    // Strictly after, as restic: a snapshot exactly one duration older than the newest goes.
    if (within && t > cutoff!) reasons.push(`within ${formatDuration(within)}`);
    for (const rule of rules) {
      if (rule.left === 0) continue;
      const bucket = rule.bucker ? rule.bucker((wall ??= calendar.wall(t))) : nr;
      // A rule with counts left also keeps the oldest snapshot: more history while it has room.
      if (bucket === rule.last && !oldest) continue;
      reasons.push(bucket === rule.last ? `oldest ${rule.reason}` : rule.reason);
      rule.last = bucket;
      rule.left--;
    }
    if (reasons.length > 0) keep.push({ snapshot, reasons });
    else remove.push(snapshot);
  });
  return { keep, remove };
}

/** Newest first; equal times put the larger id first (snapshot ids sort by time, so it is the later one). */
function newestFirst(a: { id: string; time: Date }, b: { id: string; time: Date }): number {
  const dt = b.time.getTime() - a.time.getTime();
  if (dt !== 0) return dt;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * keepWithin counts back from the newest snapshot, not from now, so a machine that stopped
 * backing up keeps its last stretch of history. Calendar steps first, then hours, as restic.
 */
function withinCutoff(
  list: readonly { time: Date }[],
  d: Duration,
  calendar: ZoneCalendar,
  now: Date | undefined,
): number {
  const limit = now?.getTime() ?? Infinity;
  // The list is newest first, so the first one not in the future is the newest that counts.
  const newest = list.find((s) => s.time.getTime() < limit);
  // Every snapshot in the future: nothing to count back from, so all are within.
  if (!newest) return -Infinity;
  return calendar.subtractDate(newest.time.getTime(), d.years, d.months, d.days) - d.hours * HOUR_MS;
}

function checkPolicy(policy: RetentionPolicy): RetentionPolicy {
  const parsed = RetentionPolicy.safeParse(policy);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new StrataError(
    'usage',
    `invalid retention policy: ${issue.path.join('.') || 'policy'}: ${issue.message}`,
    'counts are whole numbers from 0 to 100000; keepWithin is a duration like 30d',
  );
}
