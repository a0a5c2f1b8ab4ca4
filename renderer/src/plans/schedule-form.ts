/**
 * The schedule editor's fields as typed, and the ScheduleSpec they make. Every kind keeps its own
 * fields, so switching kinds and back loses nothing. The contract's rules (shared/schedule.ts)
 * decide what is valid; only the cron expression needs the host (`schedules.preview`).
 */
import { ScheduleSpec, type Weekday } from '../../../shared/schedule.js';
import { sentence } from '../format.js';

export type ScheduleKind = ScheduleSpec['kind'];

export const SCHEDULE_KINDS: readonly { id: ScheduleKind; label: string }[] = [
  { id: 'manual', label: 'Manual only' },
  { id: 'hourly', label: 'Every hour' },
  { id: 'daily', label: 'Every day' },
  { id: 'weekly', label: 'Every week' },
  { id: 'monthly', label: 'Every month' },
  { id: 'cron', label: 'Cron expression' },
];

export const CRON_EXAMPLE = '30 2 * * *';

export interface ScheduleForm {
  kind: ScheduleKind;
  /** Minute past the hour (hourly). */
  minute: string;
  /** HH:MM (daily, weekly, monthly). */
  time: string;
  weekday: Weekday;
  dayOfMonth: string;
  expression: string;
}

export type ScheduleField = 'minute' | 'time' | 'dayOfMonth' | 'expression';

export type ScheduleCheck = { spec: ScheduleSpec; problem?: undefined } | { spec?: undefined; problem: FieldProblem };

export interface FieldProblem {
  field: ScheduleField;
  text: string;
}

export function formFromSchedule(spec: ScheduleSpec): ScheduleForm {
  return {
    kind: spec.kind,
    minute: spec.kind === 'hourly' ? String(spec.minute) : '0',
    time: 'time' in spec ? spec.time : '02:00',
    weekday: spec.kind === 'weekly' ? spec.day : 'mon',
    dayOfMonth: spec.kind === 'monthly' ? String(spec.day) : '1',
    expression: spec.kind === 'cron' ? spec.expression : '',
  };
}

/** '7' → 7; '', '1.5', 'x' → undefined. */
function wholeNumber(text: string): number | undefined {
  const t = text.trim();
  return /^\d{1,4}$/.test(t) ? Number(t) : undefined;
}

const FIELD_OF: Record<string, ScheduleField> = {
  minute: 'minute',
  time: 'time',
  day: 'dayOfMonth',
  expression: 'expression',
};

export function scheduleFromForm(form: ScheduleForm): ScheduleCheck {
  let draft: unknown;
  switch (form.kind) {
    case 'manual':
      draft = { kind: 'manual' };
      break;
    case 'hourly': {
      const minute = wholeNumber(form.minute);
      if (minute === undefined) return { problem: { field: 'minute', text: 'Give the minute past the hour as 0-59' } };
      draft = { kind: 'hourly', minute };
      break;
    }
    case 'daily':
      draft = { kind: 'daily', time: form.time };
      break;
    case 'weekly':
      draft = { kind: 'weekly', day: form.weekday, time: form.time };
      break;
    case 'monthly': {
      const day = wholeNumber(form.dayOfMonth);
      if (day === undefined) return { problem: { field: 'dayOfMonth', text: 'Give the day of the month as 1-31' } };
      draft = { kind: 'monthly', day, time: form.time };
      break;
    }
    case 'cron':
      draft = { kind: 'cron', expression: form.expression.trim() };
      break;
  }
  const parsed = ScheduleSpec.safeParse(draft);
  if (parsed.success) return { spec: parsed.data };
  const issue = parsed.error.issues[0];
  const field = FIELD_OF[String(issue?.path[0])] ?? 'expression';
  return { problem: { field, text: sentence(issue?.message ?? 'Check this value') } };
}
