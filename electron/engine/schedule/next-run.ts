/**
 * Slot times of a schedule: pure date arithmetic in an IANA time zone, done by croner's pattern
 * evaluation (no timers are ever started here). DST follows croner (Vixie cron rules): a fixed
 * time in the spring-forward gap runs once, at the first valid time after the gap (02:30 → 03:00);
 * a fixed time repeated at fall-back runs once, at its first occurrence; hourly schedules run on
 * every real hour, both passes of a repeated hour included.
 */
import { Cron } from 'croner';
import { StrataError } from '../../../shared/errors.js';
import { WEEKDAYS, type ScheduleSpec } from '../../../shared/schedule.js';

const CRON_HINT =
  'give five fields: minute hour day-of-month month day-of-week, e.g. "30 2 * * *" for every day at 02:30';

/** croner's nicknames, less @reboot (croner refuses it: nothing here sees a reboot). */
const NICKNAMES = ['@hourly', '@daily', '@midnight', '@weekly', '@monthly', '@yearly', '@annually'];

/**
 * Standard five-field cron plus croner's extensions (names, L, W, #, @daily...). Six fields
 * (seconds first, croner's own reading) are refused: backups never need them, and croner would
 * read a Quartz-style paste differently from what was meant. Day-of-month and day-of-week
 * combine with OR, as in Vixie cron.
 */
export function validateCron(expression: string): void {
  const text = expression.trim();
  const fields = text === '' ? 0 : text.split(/\s+/).length;
  let reason: string | undefined;
  if (text.startsWith('@')) {
    if (!NICKNAMES.includes(text.toLowerCase())) reason = `unknown nickname; use ${NICKNAMES.join(', ')}`;
  } else if (fields !== 5) {
    reason = fields === 6 ? 'got 6 fields; seconds are not supported' : `got ${fields} fields, need 5`;
  }
  if (reason === undefined) {
    try {
      // A pattern like '0 0 31 2 *' parses but never runs; it would leave the destination unprotected.
      if (!cronFor(expression, 'UTC').nextRun(new Date(0))) reason = 'it never matches a real date';
    } catch (err) {
      reason = (err instanceof Error ? err.message : String(err)).replace(/^CronPattern:\s*/, '');
    }
  }
  if (reason !== undefined) {
    throw new StrataError('usage', `malformed cron expression '${expression}' (${reason})`, CRON_HINT);
  }
}

/** The next `count` slots strictly after `after`, oldest first; [] for manual schedules. */
export function nextRuns(spec: ScheduleSpec, after: Date, timeZone: string, count: number): Date[] {
  const out: Date[] = [];
  if (count <= 0) return out;
  for (const slot of forward(spec, after, timeZone)) {
    out.push(slot);
    if (out.length >= count) break;
  }
  return out;
}

export function nextRun(spec: ScheduleSpec, after: Date, timeZone: string): Date | null {
  return nextRuns(spec, after, timeZone, 1)[0] ?? null;
}

/** Slots in (from, to], oldest first, at most `limit` of them (counts missed runs after a sleep). */
export function slotsBetween(spec: ScheduleSpec, from: Date, to: Date, timeZone: string, limit = 1000): Date[] {
  const out: Date[] = [];
  if (limit <= 0) return out;
  for (const slot of forward(spec, from, timeZone)) {
    if (slot.getTime() > to.getTime()) break;
    out.push(slot);
    if (out.length >= limit) break;
  }
  return out;
}

/** The newest slot in (since, t], or null. */
export function latestSlotAtOrBefore(spec: ScheduleSpec, t: Date, timeZone: string, since: Date): Date | null {
  const plan = planFor(spec, timeZone);
  if (!plan) return null;
  const job = cronFor(plan.pattern, timeZone);
  // croner's previousRuns excludes a run exactly at the reference; 1 ms later makes t itself count.
  let ref = new Date(t.getTime() + 1);
  for (;;) {
    const slot = job.previousRuns(1, ref)[0];
    if (!slot || slot.getTime() <= since.getTime()) return null;
    if (plan.keep(slot)) return slot;
    ref = slot;
  }
}

export function systemTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

interface Plan {
  pattern: string;
  /** Drops croner matches that are not slots (monthly days 29-31 use candidate days 28-31). */
  keep: (slot: Date) => boolean;
}

const always = (): boolean => true;

function planFor(spec: ScheduleSpec, timeZone: string): Plan | null {
  switch (spec.kind) {
    case 'manual':
      return null;
    case 'hourly':
      return { pattern: `${spec.minute} * * * *`, keep: always };
    case 'daily': {
      const [h, m] = hm(spec.time);
      return { pattern: `${m} ${h} * * *`, keep: always };
    }
    case 'weekly': {
      const [h, m] = hm(spec.time);
      const dow = (WEEKDAYS.findIndex((d) => d.id === spec.day) + 1) % 7; // cron: 0 = Sunday
      return { pattern: `${m} ${h} * * ${dow}`, keep: always };
    }
    case 'monthly': {
      const [h, m] = hm(spec.time);
      if (spec.day <= 28) return { pattern: `${m} ${h} ${spec.day} * *`, keep: always };
      const wanted = spec.day;
      return {
        pattern: `${m} ${h} 28-31 * *`,
        keep: (slot) => {
          const { year, month, day } = zoneDate(slot, timeZone);
          return day === Math.min(wanted, daysInMonth(year, month));
        },
      };
    }
    case 'cron':
      validateCron(spec.expression);
      return { pattern: spec.expression, keep: always };
  }
}

function* forward(spec: ScheduleSpec, after: Date, timeZone: string): Generator<Date> {
  const plan = planFor(spec, timeZone);
  if (!plan) return;
  for (const slot of cronFor(plan.pattern, timeZone).enumerate(after)) {
    if (plan.keep(slot)) yield slot;
  }
}

function cronFor(pattern: string, timeZone: string): Cron {
  zoneFormat(timeZone); // an unknown zone gets our error, not croner's
  return new Cron(pattern, { timezone: timeZone, paused: true, mode: '5-part' });
}

function hm(time: string): [number, number] {
  const [h, m] = time.split(':').map(Number);
  return [h!, m!];
}

/** month is 1-12. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
    } catch {
      throw new StrataError('usage', `unknown time zone '${timeZone}'`, 'give an IANA time zone, e.g. Europe/Berlin');
    }
    zoneFormats.set(timeZone, format);
  }
  return format;
}

/** The calendar date (month 1-12) of an instant on the wall clocks of `timeZone`. */
function zoneDate(instant: Date, timeZone: string): { year: number; month: number; day: number } {
  const parts = zoneFormat(timeZone).formatToParts(instant);
  const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}
