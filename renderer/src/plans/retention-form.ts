/**
 * The retention editor's fields as typed, and the RetentionPolicy they make: one of the presets,
 * or custom counts and a keep-within duration (shared/retention.ts has the rules and the words).
 */
import {
  COUNT_RULES,
  RETENTION_PRESETS,
  RetentionPolicy,
  matchingPreset,
  parseDuration,
  type CountRule,
  type RetentionPresetId,
} from '../../../shared/retention.js';
import { StrataError } from '../../../shared/errors.js';
import { sentence } from '../format.js';

export type RetentionChoice = RetentionPresetId | 'custom';

export const RETENTION_CHOICES: readonly { id: RetentionChoice; label: string }[] = [
  ...(Object.keys(RETENTION_PRESETS) as RetentionPresetId[]).map((id) => ({ id, label: RETENTION_PRESETS[id].label })),
  { id: 'custom', label: 'Custom' },
];

export const COUNT_LABELS: Record<CountRule, string> = {
  keepLast: 'Keep last',
  keepHourly: 'Keep hourly',
  keepDaily: 'Keep daily',
  keepWeekly: 'Keep weekly',
  keepMonthly: 'Keep monthly',
  keepYearly: 'Keep yearly',
};

export interface RetentionForm {
  choice: RetentionChoice;
  /** Custom counts as typed ('' is unset). */
  counts: Record<CountRule, string>;
  keepWithin: string;
}

export type RetentionField = CountRule | 'keepWithin';
export type RetentionProblems = Partial<Record<RetentionField, string>>;

/** The fields showing a policy; a policy equal to a preset shows as that preset. */
export function formFromPolicy(policy: RetentionPolicy): RetentionForm {
  return { choice: matchingPreset(policy) ?? 'custom', ...customFields(policy) };
}

/** Custom fields prefilled from a policy (choosing Custom after a preset starts from the preset). */
export function customFields(policy: RetentionPolicy): Pick<RetentionForm, 'counts' | 'keepWithin'> {
  const counts = Object.fromEntries(
    COUNT_RULES.map(({ key }) => [key, policy[key] ? String(policy[key]) : '']),
  ) as Record<CountRule, string>;
  return { counts, keepWithin: policy.keepWithin ?? '' };
}

export function policyFromForm(form: RetentionForm): { policy?: RetentionPolicy; problems: RetentionProblems } {
  if (form.choice !== 'custom') return { policy: { ...RETENTION_PRESETS[form.choice].policy }, problems: {} };
  const problems: RetentionProblems = {};
  const policy: RetentionPolicy = {};
  for (const { key } of COUNT_RULES) {
    const t = form.counts[key].trim();
    if (t === '') continue;
    const n = /^\d{1,6}$/.test(t) ? Number(t) : NaN;
    if (!(n >= 0 && n <= 100_000)) problems[key] = 'Give a whole number from 0 to 100000, or leave it empty';
    else if (n > 0) policy[key] = n;
  }
  const within = form.keepWithin.trim();
  if (within) {
    try {
      parseDuration(within);
      policy.keepWithin = within;
    } catch (err) {
      const hint = err instanceof StrataError && err.hint ? `: ${err.hint}` : '';
      problems.keepWithin = sentence(`${err instanceof Error ? err.message : String(err)}${hint}`);
    }
  }
  if (Object.keys(problems).length > 0) return { problems };
  return { policy: RetentionPolicy.parse(policy), problems };
}
