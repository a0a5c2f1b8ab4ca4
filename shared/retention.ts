/**
 * Retention policies: which snapshots a destination keeps, in restic `forget` terms. Shared by
 * the engine (which applies them, see electron/engine/retention) and the renderer (which edits
 * and describes them), so this file stays pure: no Node imports.
 */
import { z } from 'zod';
import { StrataError } from './errors.js';

/** A calendar duration; weeks are folded into days. */
export interface Duration {
  years: number;
  months: number;
  days: number;
  hours: number;
}

/** Bounds every count and every duration part: far beyond any real history, small enough to stay exact. */
const MAX_COUNT = 100_000;

const DURATION_HINT = 'write it like 30d, 2w, 1y6m or 36h (y years, m months, w weeks, d days, h hours)';

/** Units in any order, each at most once, lower case only ('M' could be read as minutes). */
export function parseDuration(text: string): Duration {
  const trimmed = text.trim();
  const malformed = (): StrataError => new StrataError('usage', `malformed duration '${text}'`, DURATION_HINT);
  if (!/^(?:\d+[ymwdh])+$/.test(trimmed)) throw malformed();
  const out: Duration = { years: 0, months: 0, days: 0, hours: 0 };
  const seen = new Set<string>();
  for (const [, digits, unit] of trimmed.matchAll(/(\d+)([ymwdh])/g)) {
    const n = Number(digits);
    if (seen.has(unit!) || n > MAX_COUNT) throw malformed();
    seen.add(unit!);
    if (unit === 'y') out.years = n;
    else if (unit === 'm') out.months = n;
    else if (unit === 'w') out.days += n * 7;
    else if (unit === 'd') out.days += n;
    else out.hours = n;
  }
  // restic reads a zero duration as "not set"; refusing it keeps a typo from meaning "keep everything".
  if (isZero(out)) throw new StrataError('usage', `duration '${text}' is zero`, DURATION_HINT);
  return out;
}

/** restic's form: '1y6m', '14d', '36h' (weeks show as days). */
export function formatDuration(d: Duration): string {
  const parts: [number, string][] = [
    [d.years, 'y'],
    [d.months, 'm'],
    [d.days, 'd'],
    [d.hours, 'h'],
  ];
  const text = parts
    .filter(([n]) => n !== 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join('');
  return text === '' ? '0d' : text;
}

function isZero(d: Duration): boolean {
  return d.years === 0 && d.months === 0 && d.days === 0 && d.hours === 0;
}

function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

const Count = z.number().int().min(0).max(MAX_COUNT);

/**
 * Every field is optional and 0 means unset; a policy with nothing set keeps everything. Strict,
 * so a key from a newer build is refused (callers fall back to keeping everything) rather than
 * silently dropped, which could prune more than that build meant to.
 */
export const RetentionPolicy = z
  .object({
    keepLast: Count.optional(),
    keepHourly: Count.optional(),
    keepDaily: Count.optional(),
    keepWeekly: Count.optional(),
    keepMonthly: Count.optional(),
    keepYearly: Count.optional(),
    keepWithin: z.string().max(64).refine(isDuration, DURATION_HINT).optional(),
  })
  .strict();
export type RetentionPolicy = z.infer<typeof RetentionPolicy>;

/** The count rules in restic's order, which is also the order reasons and descriptions use. */
export const COUNT_RULES = [
  { key: 'keepLast', word: 'last' },
  { key: 'keepHourly', word: 'hourly' },
  { key: 'keepDaily', word: 'daily' },
  { key: 'keepWeekly', word: 'weekly' },
  { key: 'keepMonthly', word: 'monthly' },
  { key: 'keepYearly', word: 'yearly' },
] as const;

export type CountRule = (typeof COUNT_RULES)[number]['key'];

export function isKeepAll(policy: RetentionPolicy): boolean {
  return COUNT_RULES.every(({ key }) => !policy[key]) && !policy.keepWithin;
}

export type RetentionPresetId = 'none' | 'monthly-year' | 'gfs';

export interface RetentionPreset {
  label: string;
  policy: RetentionPolicy;
}

export const RETENTION_PRESETS: Readonly<Record<RetentionPresetId, Readonly<RetentionPreset>>> = Object.freeze({
  none: Object.freeze({ label: 'Keep everything', policy: Object.freeze({}) }),
  'monthly-year': Object.freeze({ label: 'One a month for a year', policy: Object.freeze({ keepMonthly: 12 }) }),
  gfs: Object.freeze({
    label: 'Daily for a week, weekly for a month, monthly for a year',
    policy: Object.freeze({ keepDaily: 7, keepWeekly: 4, keepMonthly: 12 }),
  }),
});

/** The preset a policy amounts to (unset and 0 are the same), so an editor can show it selected. */
export function matchingPreset(policy: RetentionPolicy): RetentionPresetId | undefined {
  const ids = Object.keys(RETENTION_PRESETS) as RetentionPresetId[];
  return ids.find((id) => samePolicy(RETENTION_PRESETS[id].policy, policy));
}

function samePolicy(a: RetentionPolicy, b: RetentionPolicy): boolean {
  return (
    COUNT_RULES.every(({ key }) => (a[key] ?? 0) === (b[key] ?? 0)) && (a.keepWithin ?? '') === (b.keepWithin ?? '')
  );
}

/** Plain words: 'Keeps the last 5, 7 daily, 4 weekly', 'Keeps everything from the last 30 days and 12 monthly'. */
export function describeRetention(policy: RetentionPolicy): string {
  if (isKeepAll(policy)) return 'Keeps everything';
  const counts = COUNT_RULES.flatMap(({ key, word }) => {
    const n = policy[key] ?? 0;
    if (n === 0) return [];
    if (key === 'keepLast') return [n === 1 ? 'the latest' : `the last ${n}`];
    return [`${n} ${word}`];
  }).join(', ');
  if (!policy.keepWithin) return `Keeps ${counts}`;
  const within = `everything from the last ${durationWords(parseDuration(policy.keepWithin))}`;
  return counts ? `Keeps ${within} and ${counts}` : `Keeps ${within}`;
}

/** '30 days', '2 weeks', '1 year 6 months'; a lone 1 drops its number ('the last day'). */
function durationWords(d: Duration): string {
  const weeks = d.days % 7 === 0 ? d.days / 7 : 0;
  const parts: [number, string][] = [
    [d.years, 'year'],
    [d.months, 'month'],
    weeks ? [weeks, 'week'] : [d.days, 'day'],
    [d.hours, 'hour'],
  ];
  const set = parts.filter(([n]) => n !== 0);
  if (set.length === 1 && set[0]![0] === 1) return set[0]![1];
  return set.map(([n, unit]) => `${n} ${unit}${n === 1 ? '' : 's'}`).join(' ');
}
