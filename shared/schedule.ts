/**
 * When a destination backs up on its own. Pure: the renderer imports this, so no Node and no
 * cron library here; next-run times are worked out in electron/engine/schedule/next-run.ts.
 */
import { z } from 'zod';
import { StrataError } from './errors.js';

export const WEEKDAYS = [
  { id: 'mon', name: 'Monday' },
  { id: 'tue', name: 'Tuesday' },
  { id: 'wed', name: 'Wednesday' },
  { id: 'thu', name: 'Thursday' },
  { id: 'fri', name: 'Friday' },
  { id: 'sat', name: 'Saturday' },
  { id: 'sun', name: 'Sunday' },
] as const;

export type Weekday = (typeof WEEKDAYS)[number]['id'];

const WEEKDAY_IDS = WEEKDAYS.map((d) => d.id) as [Weekday, ...Weekday[]];

/** 24-hour wall-clock time in the schedule's time zone. */
export const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'give the time as HH:MM, e.g. 02:30');

const Minute = z
  .number()
  .int('give the minute past the hour as a whole number 0-59')
  .min(0, 'give the minute past the hour as 0-59')
  .max(59, 'give the minute past the hour as 0-59');

const DayOfMonth = z
  .number()
  .int('give the day of the month as a whole number 1-31')
  .min(1, 'give the day of the month as 1-31')
  .max(31, 'give the day of the month as 1-31');

export const ScheduleSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('manual') }).strict(),
  z.object({ kind: z.literal('hourly'), minute: Minute }).strict(),
  z.object({ kind: z.literal('daily'), time: TimeOfDay }).strict(),
  z
    .object({ kind: z.literal('weekly'), day: z.enum(WEEKDAY_IDS, 'give the day as mon..sun'), time: TimeOfDay })
    .strict(),
  // Days 29-31 run on the last day of shorter months (see next-run.ts), never skip a month.
  z.object({ kind: z.literal('monthly'), day: DayOfMonth, time: TimeOfDay }).strict(),
  z
    .object({
      kind: z.literal('cron'),
      expression: z.string().min(1, 'give a cron expression').max(200, 'keep the cron expression under 200 characters'),
    })
    .strict(),
]);
export type ScheduleSpec = z.infer<typeof ScheduleSpec>;

export function describeSchedule(spec: ScheduleSpec): string {
  switch (spec.kind) {
    case 'manual':
      return 'Manual only (Back up now)';
    case 'hourly':
      return spec.minute === 0 ? 'Every hour, on the hour' : `Every hour at :${String(spec.minute).padStart(2, '0')}`;
    case 'daily':
      return `Every day at ${spec.time}`;
    case 'weekly':
      return `Every ${weekdayName(spec.day)} at ${spec.time}`;
    case 'monthly':
      return `Monthly on day ${spec.day} at ${spec.time}${spec.day > 28 ? ' (the last day in shorter months)' : ''}`;
    case 'cron':
      return `Cron: ${spec.expression}`;
  }
}

function weekdayName(id: Weekday): string {
  return WEEKDAYS.find((d) => d.id === id)!.name;
}

/** '2:30' or '02:30' → '02:30'. */
export function parseTimeOfDay(text: string): string {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  const hour = Number(m?.[1]);
  const minute = Number(m?.[2]);
  if (!m || hour > 23 || minute > 59) {
    throw new StrataError('usage', `malformed time '${text}'`, 'give a 24-hour time as HH:MM, e.g. 02:30');
  }
  return `${String(hour).padStart(2, '0')}:${m[2]}`;
}

/** 'mon', 'Monday', 'MON' → 'mon'. Numbers are refused: cron and ISO disagree on which day is 0 or 1. */
export function parseWeekday(text: string): Weekday {
  const t = text.trim().toLowerCase();
  const found = WEEKDAYS.find((d) => d.id === t || d.name.toLowerCase() === t);
  if (!found) {
    throw new StrataError(
      'usage',
      `malformed weekday '${text}'`,
      'give mon, tue, wed, thu, fri, sat or sun, or the full name, e.g. monday',
    );
  }
  return found.id;
}

export function parseDayOfMonth(text: string): number {
  const t = text.trim();
  const day = /^\d{1,2}$/.test(t) ? Number(t) : NaN;
  if (!(day >= 1 && day <= 31)) {
    throw new StrataError(
      'usage',
      `malformed day of month '${text}'`,
      'give a day from 1 to 31 (29-31 run on the last day in shorter months)',
    );
  }
  return day;
}
