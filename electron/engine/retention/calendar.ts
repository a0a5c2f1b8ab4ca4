/**
 * Wall-clock arithmetic in an IANA time zone, using only Intl: restic buckets snapshots by the
 * calendar of the zone they were taken in, and so do we, in the zone the user chose.
 */
import { StrataError } from '../../../shared/errors.js';

export interface WallTime {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  /** 0-23 */
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

export const HOUR_MS = 3_600_000;

export class ZoneCalendar {
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly timeZone: string) {
    try {
      this.format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (err) {
      throw new StrataError('usage', `unknown time zone '${timeZone}'`, 'use an IANA name like Europe/Berlin or UTC', {
        cause: err,
      });
    }
  }

  /** The local date and time at instant `t` (ms since the epoch). */
  wall(t: number): WallTime {
    const ms = ((t % 1000) + 1000) % 1000;
    const out: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, ms };
    for (const part of this.format.formatToParts(t - ms)) {
      if (part.type in out) out[part.type as keyof WallTime] = Number(part.value);
    }
    return out;
  }

  /**
   * The instant showing wall time `w`, normalising overflow as Go's time.Date does (Feb 31 is
   * Mar 3). A time skipped by a DST change resolves with the offset from before it, as Go does.
   */
  instant(w: WallTime): number {
    const guess = utcOf(w);
    // The offset at the guess is right unless a transition lies between guess and answer; then the
    // offset at the first answer is.
    return guess - this.offsetAt(guess - this.offsetAt(guess));
  }

  /** Go's t.AddDate(-years, -months, -days) in this zone: calendar steps on the wall clock. */
  subtractDate(t: number, years: number, months: number, days: number): number {
    const w = this.wall(t);
    const target = { ...w, year: w.year - years, month: w.month - months, day: w.day - days };
    // Intl cannot name years before 1 AD: anything that far back is "the beginning of time".
    if (new Date(utcOf(target)).getUTCFullYear() < 1) return -Infinity;
    return this.instant(target);
  }

  private offsetAt(t: number): number {
    return utcOf(this.wall(t)) - t;
  }
}

/** `w` read as UTC; setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999. */
function utcOf(w: WallTime): number {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, w.ms);
  return d.getTime();
}

/** ISO 8601 week of a calendar date: weeks start on Monday, week 1 holds the year's first Thursday. */
export function isoWeek(year: number, month: number, day: number): { year: number; week: number } {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(d.getTime() + (3 - weekday) * 24 * HOUR_MS);
  const weekYear = thursday.getUTCFullYear();
  const jan1 = new Date(0);
  jan1.setUTCFullYear(weekYear, 0, 1);
  return { year: weekYear, week: 1 + Math.floor((thursday.getTime() - jan1.getTime()) / (7 * 24 * HOUR_MS)) };
}
