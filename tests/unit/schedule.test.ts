import { afterEach, describe, expect, it, vi } from 'vitest';
import { StrataError } from '../../shared/errors.js';
import {
  describeSchedule,
  parseDayOfMonth,
  parseTimeOfDay,
  parseWeekday,
  ScheduleSpec,
  WEEKDAYS,
} from '../../shared/schedule.js';
import {
  latestSlotAtOrBefore,
  nextRun,
  nextRuns,
  slotsBetween,
  systemTimeZone,
  validateCron,
} from '../../electron/engine/schedule/next-run.js';

const at = (iso: string): Date => new Date(iso);
const isos = (dates: Date[]): string[] => dates.map((d) => d.toISOString());

/** The StrataError a call throws, so tests can check code, message and hint exactly. */
function thrown(fn: () => unknown): StrataError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StrataError) return err;
    throw err;
  }
  throw new Error('expected a StrataError');
}

const daily = (time: string): ScheduleSpec => ({ kind: 'daily', time });
const hourly = (minute: number): ScheduleSpec => ({ kind: 'hourly', minute });
const monthly = (day: number, time: string): ScheduleSpec => ({ kind: 'monthly', day, time });
const cron = (expression: string): ScheduleSpec => ({ kind: 'cron', expression });
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

describe('WEEKDAYS', () => {
  it('runs Monday to Sunday with display names', () => {
    expect(WEEKDAYS.map((d) => `${d.id}:${d.name}`)).toEqual([
      'mon:Monday',
      'tue:Tuesday',
      'wed:Wednesday',
      'thu:Thursday',
      'fri:Friday',
      'sat:Saturday',
      'sun:Sunday',
    ]);
  });
});

describe('describeSchedule', () => {
  it.each<[ScheduleSpec, string]>([
    [{ kind: 'manual' }, 'Manual only (Back up now)'],
    [hourly(15), 'Every hour at :15'],
    [hourly(5), 'Every hour at :05'],
    [hourly(0), 'Every hour, on the hour'],
    [daily('02:00'), 'Every day at 02:00'],
    [{ kind: 'weekly', day: 'mon', time: '02:00' }, 'Every Monday at 02:00'],
    [{ kind: 'weekly', day: 'sun', time: '23:45' }, 'Every Sunday at 23:45'],
    [monthly(15, '02:00'), 'Monthly on day 15 at 02:00'],
    [monthly(28, '02:00'), 'Monthly on day 28 at 02:00'],
    [monthly(29, '02:00'), 'Monthly on day 29 at 02:00 (the last day in shorter months)'],
    [monthly(31, '04:10'), 'Monthly on day 31 at 04:10 (the last day in shorter months)'],
    [cron('0 */6 * * *'), 'Cron: 0 */6 * * *'],
  ])('%j → %s', (spec, text) => {
    expect(describeSchedule(spec)).toBe(text);
  });
});

describe('parseTimeOfDay', () => {
  it.each([
    ['2:30', '02:30'],
    ['02:30', '02:30'],
    ['0:00', '00:00'],
    ['23:59', '23:59'],
    [' 7:05 ', '07:05'],
  ])('%j → %s', (text, time) => {
    expect(parseTimeOfDay(text)).toBe(time);
  });

  it.each(['25:00', '24:00', '7:5', '2:60', '0230', '', 'noon', '-1:00', '2:30pm', '123:00', '2:300'])(
    'refuses %j',
    (text) => {
      const err = thrown(() => parseTimeOfDay(text));
      expect(err.code).toBe('usage');
      expect(err.message).toBe(`malformed time '${text}'`);
      expect(err.hint).toBe('give a 24-hour time as HH:MM, e.g. 02:30');
    },
  );
});

describe('parseWeekday', () => {
  it.each([
    ['mon', 'mon'],
    ['Mon', 'mon'],
    ['MON', 'mon'],
    ['monday', 'mon'],
    ['Monday', 'mon'],
    [' Tue ', 'tue'],
    ['wednesday', 'wed'],
    ['THURSDAY', 'thu'],
    ['fri', 'fri'],
    ['Saturday', 'sat'],
    ['sun', 'sun'],
  ])('%j → %s', (text, day) => {
    expect(parseWeekday(text)).toBe(day);
  });

  it.each(['0', '1', '7', 'mo', 'tues', 'funday', ''])('refuses %j', (text) => {
    const err = thrown(() => parseWeekday(text));
    expect(err.code).toBe('usage');
    expect(err.message).toBe(`malformed weekday '${text}'`);
    expect(err.hint).toBe('give mon, tue, wed, thu, fri, sat or sun, or the full name, e.g. monday');
  });
});

describe('parseDayOfMonth', () => {
  it.each([
    ['1', 1],
    ['07', 7],
    ['15', 15],
    ['31', 31],
    [' 28 ', 28],
  ])('%j → %d', (text, day) => {
    expect(parseDayOfMonth(text)).toBe(day);
  });

  it.each(['0', '32', '00', '100', '1.5', '-1', '', 'x', 'last'])('refuses %j', (text) => {
    const err = thrown(() => parseDayOfMonth(text));
    expect(err.code).toBe('usage');
    expect(err.message).toBe(`malformed day of month '${text}'`);
    expect(err.hint).toBe('give a day from 1 to 31 (29-31 run on the last day in shorter months)');
  });
});

describe('ScheduleSpec', () => {
  const messages = (value: unknown): string[] => {
    const result = ScheduleSpec.safeParse(value);
    return result.success ? [] : result.error.issues.map((i) => i.message);
  };

  it.each<unknown>([
    { kind: 'manual' },
    { kind: 'hourly', minute: 0 },
    { kind: 'hourly', minute: 59 },
    { kind: 'daily', time: '00:00' },
    { kind: 'daily', time: '23:59' },
    { kind: 'weekly', day: 'sun', time: '02:30' },
    { kind: 'monthly', day: 1, time: '02:30' },
    { kind: 'monthly', day: 31, time: '02:30' },
    { kind: 'cron', expression: '0 */6 * * *' },
    { kind: 'cron', expression: 'x'.repeat(200) },
  ])('accepts %j', (value) => {
    expect(ScheduleSpec.parse(value)).toEqual(value);
  });

  it.each(['24:00', '7:5', '2:30', '02:60', '0230', '', '02:30:00'])('refuses the time %j with an example', (time) => {
    expect(messages({ kind: 'daily', time })).toEqual(['give the time as HH:MM, e.g. 02:30']);
    expect(messages({ kind: 'weekly', day: 'mon', time })).toEqual(['give the time as HH:MM, e.g. 02:30']);
  });

  it.each([0, 32, -1, 1.5])('refuses the day of month %d', (day) => {
    const expected = Number.isInteger(day)
      ? 'give the day of the month as 1-31'
      : 'give the day of the month as a whole number 1-31';
    expect(messages({ kind: 'monthly', day, time: '02:00' })).toEqual([expected]);
  });

  it.each([-1, 60])('refuses the minute %d', (minute) => {
    expect(messages({ kind: 'hourly', minute })).toEqual(['give the minute past the hour as 0-59']);
  });

  it('refuses weekday names other than mon..sun', () => {
    expect(messages({ kind: 'weekly', day: 'monday', time: '02:00' })).toEqual(['give the day as mon..sun']);
    expect(messages({ kind: 'weekly', day: 1, time: '02:00' })).toEqual(['give the day as mon..sun']);
  });

  it('refuses empty and over-long cron expressions', () => {
    expect(messages({ kind: 'cron', expression: '' })).toEqual(['give a cron expression']);
    expect(messages({ kind: 'cron', expression: 'x'.repeat(201) })).toEqual([
      'keep the cron expression under 200 characters',
    ]);
  });

  it('refuses unknown kinds, missing fields and stray keys', () => {
    expect(ScheduleSpec.safeParse({ kind: 'yearly' }).success).toBe(false);
    expect(ScheduleSpec.safeParse({ kind: 'daily' }).success).toBe(false);
    expect(ScheduleSpec.safeParse({ kind: 'daily', time: '02:00', minute: 5 }).success).toBe(false);
    expect(ScheduleSpec.safeParse({ kind: 'manual', time: '02:00' }).success).toBe(false);
  });
});

describe('validateCron', () => {
  it.each([
    '0 */6 * * *',
    '30 2 * * *',
    '  30 2 * * *  ',
    '0 3 * * MON-FRI',
    '0 3 * * 1-5',
    '15 1 1,15 * *',
    '0 0 L * *',
    '0 3 29 2 *',
    '@daily',
    '@weekly',
  ])('accepts %j', (expression) => {
    expect(() => validateCron(expression)).not.toThrow();
  });

  it.each([
    ['', 'got 0 fields, need 5'],
    ['* * * *', 'got 4 fields, need 5'],
    ['0 30 2 * * *', 'got 6 fields; seconds are not supported'],
    ['0 30 2 * * * 2026', 'got 7 fields, need 5'],
    ['61 * * * *', 'Invalid value for minute: 61'],
    ['0 25 * * *', 'Invalid value for hour: 25'],
    ['0 0 * * 8', 'Invalid value for dayOfWeek: 8'],
    ['*/0 * * * *', 'Syntax error, illegal stepping: 0'],
    ['foo bar baz qux quux', 'configuration entry 1 (foo) contains illegal characters.'],
    ['0 0 31 2 *', 'it never matches a real date'],
    ['@reboot', 'unknown nickname; use @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually'],
  ])('refuses %j (%s)', (expression, reason) => {
    const err = thrown(() => validateCron(expression));
    expect(err.code).toBe('usage');
    expect(err.message).toBe(`malformed cron expression '${expression}' (${reason})`);
    expect(err.hint).toBe(
      'give five fields: minute hour day-of-month month day-of-week, e.g. "30 2 * * *" for every day at 02:30',
    );
  });

  it('nextRuns refuses a malformed cron spec the same way', () => {
    expect(thrown(() => nextRuns(cron('0 0 * * * *'), at('2026-01-01T00:00:00Z'), 'UTC', 1)).message).toBe(
      "malformed cron expression '0 0 * * * *' (got 6 fields; seconds are not supported)",
    );
  });
});

describe('nextRuns: each kind', () => {
  const after = at('2026-01-01T00:00:00Z'); // a Thursday

  it('manual never runs', () => {
    expect(nextRuns({ kind: 'manual' }, after, BERLIN, 5)).toEqual([]);
    expect(nextRun({ kind: 'manual' }, after, BERLIN)).toBeNull();
  });

  it('hourly at :15', () => {
    expect(isos(nextRuns(hourly(15), after, 'UTC', 3))).toEqual([
      '2026-01-01T00:15:00.000Z',
      '2026-01-01T01:15:00.000Z',
      '2026-01-01T02:15:00.000Z',
    ]);
  });

  it('daily at 02:30 in Berlin (CET, UTC+1)', () => {
    expect(isos(nextRuns(daily('02:30'), after, BERLIN, 3))).toEqual([
      '2026-01-01T01:30:00.000Z',
      '2026-01-02T01:30:00.000Z',
      '2026-01-03T01:30:00.000Z',
    ]);
  });

  it('weekly on Monday at 02:00 in New York (EST, UTC-5)', () => {
    expect(isos(nextRuns({ kind: 'weekly', day: 'mon', time: '02:00' }, after, NEW_YORK, 3))).toEqual([
      '2026-01-05T07:00:00.000Z',
      '2026-01-12T07:00:00.000Z',
      '2026-01-19T07:00:00.000Z',
    ]);
  });

  it('weekly on Sunday maps to cron day 0', () => {
    expect(isos(nextRuns({ kind: 'weekly', day: 'sun', time: '12:00' }, after, 'UTC', 2))).toEqual([
      '2026-01-04T12:00:00.000Z',
      '2026-01-11T12:00:00.000Z',
    ]);
  });

  it('monthly on day 15', () => {
    expect(isos(nextRuns(monthly(15, '02:00'), after, 'UTC', 3))).toEqual([
      '2026-01-15T02:00:00.000Z',
      '2026-02-15T02:00:00.000Z',
      '2026-03-15T02:00:00.000Z',
    ]);
  });

  it('cron every six hours in Kolkata (UTC+05:30)', () => {
    expect(isos(nextRuns(cron('0 */6 * * *'), after, 'Asia/Kolkata', 4))).toEqual([
      '2026-01-01T00:30:00.000Z',
      '2026-01-01T06:30:00.000Z',
      '2026-01-01T12:30:00.000Z',
      '2026-01-01T18:30:00.000Z',
    ]);
  });

  it('cron nicknames', () => {
    expect(isos(nextRuns(cron('@daily'), after, 'UTC', 2))).toEqual([
      '2026-01-02T00:00:00.000Z',
      '2026-01-03T00:00:00.000Z',
    ]);
  });

  it('nextRun is the first of nextRuns', () => {
    expect(nextRun(daily('02:30'), after, BERLIN)?.toISOString()).toBe('2026-01-01T01:30:00.000Z');
  });

  it('a count of zero gives nothing', () => {
    expect(nextRuns(daily('02:30'), after, BERLIN, 0)).toEqual([]);
  });

  it('is strictly after `after`, to the millisecond', () => {
    const spec = daily('02:30');
    expect(isos(nextRuns(spec, at('2026-01-01T02:30:00.000Z'), 'UTC', 1))).toEqual(['2026-01-02T02:30:00.000Z']);
    expect(isos(nextRuns(spec, at('2026-01-01T02:29:59.999Z'), 'UTC', 1))).toEqual(['2026-01-01T02:30:00.000Z']);
    expect(isos(nextRuns(spec, at('2026-01-01T02:30:00.500Z'), 'UTC', 1))).toEqual(['2026-01-02T02:30:00.000Z']);
  });

  it('refuses an unknown time zone', () => {
    const err = thrown(() => nextRuns(daily('02:30'), after, 'Mars/Olympus', 1));
    expect(err.code).toBe('usage');
    expect(err.message).toBe("unknown time zone 'Mars/Olympus'");
    expect(err.hint).toBe('give an IANA time zone, e.g. Europe/Berlin');
  });
});

describe('DST in Europe/Berlin (2026-03-29 02:00 → 03:00, 2026-10-25 03:00 → 02:00)', () => {
  it('daily 02:30 in the spring gap runs once, at 03:00 CEST', () => {
    expect(isos(nextRuns(daily('02:30'), at('2026-03-27T12:00:00Z'), BERLIN, 3))).toEqual([
      '2026-03-28T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST, the first valid time after the gap
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('daily 02:30 repeated at fall back runs once, at the first (CEST) pass', () => {
    expect(isos(nextRuns(daily('02:30'), at('2026-10-24T12:00:00Z'), BERLIN, 3))).toEqual([
      '2026-10-25T00:30:00.000Z', // 02:30 CEST; 02:30 CET (01:30Z) is not a second slot
      '2026-10-26T01:30:00.000Z',
      '2026-10-27T01:30:00.000Z',
    ]);
  });

  it('daily 01:30 is untouched by either change', () => {
    expect(isos(nextRuns(daily('01:30'), at('2026-03-28T12:00:00Z'), BERLIN, 2))).toEqual([
      '2026-03-29T00:30:00.000Z',
      '2026-03-29T23:30:00.000Z',
    ]);
    expect(isos(nextRuns(daily('01:30'), at('2026-10-24T12:00:00Z'), BERLIN, 2))).toEqual([
      '2026-10-24T23:30:00.000Z',
      '2026-10-26T00:30:00.000Z',
    ]);
  });

  it('hourly runs every real hour through the spring gap', () => {
    expect(isos(nextRuns(hourly(15), at('2026-03-28T23:30:00Z'), BERLIN, 4))).toEqual([
      '2026-03-29T00:15:00.000Z', // 01:15 CET
      '2026-03-29T01:15:00.000Z', // 03:15 CEST
      '2026-03-29T02:15:00.000Z',
      '2026-03-29T03:15:00.000Z',
    ]);
  });

  it('hourly runs on both passes of the repeated hour at fall back', () => {
    expect(isos(nextRuns(hourly(15), at('2026-10-24T22:30:00Z'), BERLIN, 5))).toEqual([
      '2026-10-24T23:15:00.000Z', // 01:15 CEST
      '2026-10-25T00:15:00.000Z', // 02:15 CEST
      '2026-10-25T01:15:00.000Z', // 02:15 CET
      '2026-10-25T02:15:00.000Z', // 03:15 CET
      '2026-10-25T03:15:00.000Z',
    ]);
  });

  it('weekly keeps the local wall time across the change', () => {
    expect(
      isos(nextRuns({ kind: 'weekly', day: 'mon', time: '02:00' }, at('2026-03-16T12:00:00Z'), BERLIN, 3)),
    ).toEqual([
      '2026-03-23T01:00:00.000Z', // 02:00 CET
      '2026-03-30T00:00:00.000Z', // 02:00 CEST
      '2026-04-06T00:00:00.000Z',
    ]);
    expect(
      isos(nextRuns({ kind: 'weekly', day: 'sat', time: '09:00' }, at('2026-10-20T00:00:00Z'), BERLIN, 2)),
    ).toEqual(['2026-10-24T07:00:00.000Z', '2026-10-31T08:00:00.000Z']);
  });

  it('weekly on the gap day itself moves to 03:00 like daily', () => {
    expect(
      isos(nextRuns({ kind: 'weekly', day: 'sun', time: '02:30' }, at('2026-03-22T12:00:00Z'), BERLIN, 2)),
    ).toEqual(['2026-03-29T01:00:00.000Z', '2026-04-05T00:30:00.000Z']);
  });
});

describe('DST in America/New_York (2026-03-08 02:00 → 03:00, 2026-11-01 02:00 → 01:00)', () => {
  it('daily 02:30 in the spring gap runs once, at 03:00 EDT', () => {
    expect(isos(nextRuns(daily('02:30'), at('2026-03-07T00:00:00Z'), NEW_YORK, 3))).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
  });

  it('daily 02:30 is not repeated at fall back (only 01:xx is)', () => {
    expect(isos(nextRuns(daily('02:30'), at('2026-10-31T00:00:00Z'), NEW_YORK, 3))).toEqual([
      '2026-10-31T06:30:00.000Z', // 02:30 EDT
      '2026-11-01T07:30:00.000Z', // 02:30 EST
      '2026-11-02T07:30:00.000Z',
    ]);
  });

  it('daily 01:30 repeated at fall back runs once, at the first (EDT) pass', () => {
    expect(isos(nextRuns(daily('01:30'), at('2026-10-31T00:00:00Z'), NEW_YORK, 3))).toEqual([
      '2026-10-31T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; 01:30 EST (06:30Z) is not a second slot
      '2026-11-02T06:30:00.000Z', // 01:30 EST
    ]);
  });

  it('a search starting between the two passes of 01:30 goes to the next day', () => {
    expect(isos(nextRuns(daily('01:30'), at('2026-11-01T06:00:00Z'), NEW_YORK, 1))).toEqual([
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('daily 01:30 is untouched in spring', () => {
    expect(isos(nextRuns(daily('01:30'), at('2026-03-07T00:00:00Z'), NEW_YORK, 3))).toEqual([
      '2026-03-07T06:30:00.000Z',
      '2026-03-08T06:30:00.000Z',
      '2026-03-09T05:30:00.000Z',
    ]);
  });

  it('hourly runs every real hour through the spring gap', () => {
    expect(isos(nextRuns(hourly(30), at('2026-03-08T05:00:00Z'), NEW_YORK, 3))).toEqual([
      '2026-03-08T05:30:00.000Z', // 00:30 EST
      '2026-03-08T06:30:00.000Z', // 01:30 EST
      '2026-03-08T07:30:00.000Z', // 03:30 EDT
    ]);
  });

  it('hourly runs on both passes of 01:00 at fall back', () => {
    expect(isos(nextRuns(hourly(0), at('2026-11-01T03:30:00Z'), NEW_YORK, 5))).toEqual([
      '2026-11-01T04:00:00.000Z', // 00:00 EDT
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
      '2026-11-01T08:00:00.000Z',
    ]);
  });

  it('weekly on Sunday 01:30 keeps the wall time and runs once on the fall-back Sunday', () => {
    expect(
      isos(nextRuns({ kind: 'weekly', day: 'sun', time: '01:30' }, at('2026-10-20T00:00:00Z'), NEW_YORK, 3)),
    ).toEqual(['2026-10-25T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-08T06:30:00.000Z']);
  });
});

describe('monthly on days 29-31: the last day in shorter months', () => {
  it('day 31 across 2026 in Berlin', () => {
    expect(isos(nextRuns(monthly(31, '02:00'), at('2026-01-01T00:00:00Z'), BERLIN, 13))).toEqual([
      '2026-01-31T01:00:00.000Z',
      '2026-02-28T01:00:00.000Z',
      '2026-03-31T00:00:00.000Z', // CEST from March 29
      '2026-04-30T00:00:00.000Z',
      '2026-05-31T00:00:00.000Z',
      '2026-06-30T00:00:00.000Z',
      '2026-07-31T00:00:00.000Z',
      '2026-08-31T00:00:00.000Z',
      '2026-09-30T00:00:00.000Z',
      '2026-10-31T01:00:00.000Z', // CET from October 25
      '2026-11-30T01:00:00.000Z',
      '2026-12-31T01:00:00.000Z',
      '2027-01-31T01:00:00.000Z',
    ]);
  });

  it('day 30 runs once a month, never on the 31st as well', () => {
    expect(isos(nextRuns(monthly(30, '12:00'), at('2026-01-01T00:00:00Z'), 'UTC', 5))).toEqual([
      '2026-01-30T12:00:00.000Z',
      '2026-02-28T12:00:00.000Z',
      '2026-03-30T12:00:00.000Z',
      '2026-04-30T12:00:00.000Z',
      '2026-05-30T12:00:00.000Z',
    ]);
  });

  it('day 29 runs on February 28 in 2027 and February 29 in 2028 (New York)', () => {
    expect(isos(nextRuns(monthly(29, '03:00'), at('2027-01-01T00:00:00Z'), NEW_YORK, 3))).toEqual([
      '2027-01-29T08:00:00.000Z',
      '2027-02-28T08:00:00.000Z',
      '2027-03-29T07:00:00.000Z', // EDT from March 14
    ]);
    expect(isos(nextRuns(monthly(29, '03:00'), at('2028-01-01T00:00:00Z'), NEW_YORK, 3))).toEqual([
      '2028-01-29T08:00:00.000Z',
      '2028-02-29T08:00:00.000Z',
      '2028-03-29T07:00:00.000Z', // EDT from March 12
    ]);
  });

  it('the month is the one on the zone’s wall clock, not UTC’s (Los Angeles, 22:00)', () => {
    expect(isos(nextRuns(monthly(31, '22:00'), at('2026-02-02T00:00:00Z'), 'America/Los_Angeles', 4))).toEqual([
      '2026-03-01T06:00:00.000Z', // Feb 28 22:00 PST
      '2026-04-01T05:00:00.000Z', // Mar 31 22:00 PDT
      '2026-05-01T05:00:00.000Z', // Apr 30
      '2026-06-01T05:00:00.000Z', // May 31
    ]);
  });

  it('the month is the one on the zone’s wall clock, not UTC’s (Tokyo, 01:00)', () => {
    expect(isos(nextRuns(monthly(31, '01:00'), at('2026-01-01T00:00:00Z'), 'Asia/Tokyo', 4))).toEqual([
      '2026-01-30T16:00:00.000Z', // Jan 31 01:00 JST
      '2026-02-27T16:00:00.000Z', // Feb 28
      '2026-03-30T16:00:00.000Z', // Mar 31
      '2026-04-29T16:00:00.000Z', // Apr 30
    ]);
  });

  it('a day in the spring gap runs once, at 03:00, and once at fall back', () => {
    expect(isos(nextRuns(monthly(29, '02:30'), at('2026-03-01T00:00:00Z'), BERLIN, 2))).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-04-29T00:30:00.000Z',
    ]);
    expect(isos(nextRuns(monthly(25, '02:30'), at('2026-10-01T00:00:00Z'), BERLIN, 2))).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-11-25T01:30:00.000Z',
    ]);
  });

  it('a cron of February 29 runs only in leap years (plain cron, no clamp)', () => {
    expect(isos(nextRuns(cron('0 3 29 2 *'), at('2026-01-01T00:00:00Z'), 'UTC', 3))).toEqual([
      '2028-02-29T03:00:00.000Z',
      '2032-02-29T03:00:00.000Z',
      '2036-02-29T03:00:00.000Z',
    ]);
    expect(isos(nextRuns(cron('0 3 29 2 *'), at('2026-01-01T00:00:00Z'), BERLIN, 1))).toEqual([
      '2028-02-29T02:00:00.000Z',
    ]);
  });
});

describe('slotsBetween', () => {
  it('counts three missed daily slots over a three-day sleep', () => {
    const slots = slotsBetween(daily('02:00'), at('2026-05-01T20:00:00Z'), at('2026-05-04T20:00:00Z'), BERLIN);
    expect(isos(slots)).toEqual(['2026-05-02T00:00:00.000Z', '2026-05-03T00:00:00.000Z', '2026-05-04T00:00:00.000Z']);
  });

  it('excludes `from` and includes `to`', () => {
    const slots = slotsBetween(daily('02:00'), at('2026-05-02T00:00:00Z'), at('2026-05-04T00:00:00Z'), BERLIN);
    expect(isos(slots)).toEqual(['2026-05-03T00:00:00.000Z', '2026-05-04T00:00:00.000Z']);
  });

  it('counts both passes of the repeated hour for hourly schedules', () => {
    const slots = slotsBetween(hourly(0), at('2026-11-01T04:30:00Z'), at('2026-11-01T07:30:00Z'), NEW_YORK);
    expect(isos(slots)).toEqual(['2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01T07:00:00.000Z']);
  });

  it('stops at the limit, oldest first', () => {
    const from = at('2026-01-01T00:00:00Z');
    expect(isos(slotsBetween(hourly(0), from, at('2026-02-01T00:00:00Z'), 'UTC', 3))).toEqual([
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
      '2026-01-01T03:00:00.000Z',
    ]);
    const capped = slotsBetween(hourly(0), from, at('2026-03-01T00:00:00Z'), 'UTC');
    expect(capped).toHaveLength(1000);
    expect(capped[999]!.toISOString()).toBe('2026-02-11T16:00:00.000Z');
  });

  it('is empty for manual schedules, empty or reversed ranges and a zero limit', () => {
    const from = at('2026-05-01T00:00:00Z');
    const to = at('2026-05-04T00:00:00Z');
    expect(slotsBetween({ kind: 'manual' }, from, to, BERLIN)).toEqual([]);
    expect(slotsBetween(daily('02:00'), to, from, BERLIN)).toEqual([]);
    expect(slotsBetween(daily('02:00'), from, from, BERLIN)).toEqual([]);
    expect(slotsBetween(daily('02:00'), from, to, BERLIN, 0)).toEqual([]);
  });

  it('clamps monthly slots while counting', () => {
    const slots = slotsBetween(monthly(31, '02:00'), at('2026-01-15T00:00:00Z'), at('2026-05-15T00:00:00Z'), 'UTC');
    expect(isos(slots)).toEqual([
      '2026-01-31T02:00:00.000Z',
      '2026-02-28T02:00:00.000Z',
      '2026-03-31T02:00:00.000Z',
      '2026-04-30T02:00:00.000Z',
    ]);
  });
});

describe('latestSlotAtOrBefore', () => {
  const since = at('2026-01-01T00:00:00Z');

  it('finds the newest daily slot', () => {
    expect(latestSlotAtOrBefore(daily('02:00'), at('2026-05-04T12:00:00Z'), BERLIN, since)?.toISOString()).toBe(
      '2026-05-04T00:00:00.000Z',
    );
  });

  it('includes a slot exactly at t, and only slots after `since`', () => {
    const spec = daily('02:00');
    expect(latestSlotAtOrBefore(spec, at('2026-05-04T00:00:00Z'), BERLIN, since)?.toISOString()).toBe(
      '2026-05-04T00:00:00.000Z',
    );
    expect(latestSlotAtOrBefore(spec, at('2026-05-03T23:59:59.999Z'), BERLIN, since)?.toISOString()).toBe(
      '2026-05-03T00:00:00.000Z',
    );
    expect(latestSlotAtOrBefore(spec, at('2026-05-04T12:00:00Z'), BERLIN, at('2026-05-04T00:00:00Z'))).toBeNull();
    expect(
      latestSlotAtOrBefore(spec, at('2026-05-04T12:00:00Z'), BERLIN, at('2026-05-03T23:59:59Z'))?.toISOString(),
    ).toBe('2026-05-04T00:00:00.000Z');
  });

  it('is null for manual schedules and when t is not after `since`', () => {
    expect(latestSlotAtOrBefore({ kind: 'manual' }, at('2026-05-04T12:00:00Z'), BERLIN, since)).toBeNull();
    expect(latestSlotAtOrBefore(daily('02:00'), since, BERLIN, since)).toBeNull();
    expect(latestSlotAtOrBefore(daily('02:00'), at('2025-06-01T00:00:00Z'), BERLIN, since)).toBeNull();
  });

  it('clamps monthly slots looking back', () => {
    expect(latestSlotAtOrBefore(monthly(31, '02:00'), at('2026-03-15T00:00:00Z'), 'UTC', since)?.toISOString()).toBe(
      '2026-02-28T02:00:00.000Z',
    );
    expect(latestSlotAtOrBefore(monthly(30, '02:00'), at('2026-04-15T00:00:00Z'), 'UTC', since)?.toISOString()).toBe(
      '2026-03-30T02:00:00.000Z',
    );
  });

  it('agrees with nextRuns across DST', () => {
    // Berlin spring gap: 02:30 ran at 03:00 CEST.
    expect(latestSlotAtOrBefore(daily('02:30'), at('2026-03-29T12:00:00Z'), BERLIN, since)?.toISOString()).toBe(
      '2026-03-29T01:00:00.000Z',
    );
    // New York fall back: after the second pass of 01:30, the slot is still the first pass.
    expect(latestSlotAtOrBefore(daily('01:30'), at('2026-11-01T06:45:00Z'), NEW_YORK, since)?.toISOString()).toBe(
      '2026-11-01T05:30:00.000Z',
    );
    // Hourly: the second pass of 01:00 is a slot of its own.
    expect(latestSlotAtOrBefore(hourly(0), at('2026-11-01T06:30:00Z'), NEW_YORK, since)?.toISOString()).toBe(
      '2026-11-01T06:00:00.000Z',
    );
  });
});

describe('the machine’s own time zone plays no part', () => {
  const original = process.env.TZ;
  afterEach(() => {
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
    vi.restoreAllMocks();
  });

  it.each(['UTC', 'Pacific/Kiritimati', 'America/Adak', 'Asia/Kathmandu'])('same instants with TZ=%s', (zone) => {
    process.env.TZ = zone;
    expect(isos(nextRuns(daily('02:30'), at('2026-03-27T12:00:00Z'), BERLIN, 3))).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    expect(isos(nextRuns(monthly(31, '22:00'), at('2026-02-02T00:00:00Z'), 'America/Los_Angeles', 2))).toEqual([
      '2026-03-01T06:00:00.000Z',
      '2026-04-01T05:00:00.000Z',
    ]);
  });

  it('systemTimeZone reports the machine’s zone, or UTC when there is none', () => {
    process.env.TZ = 'Asia/Tokyo';
    expect(systemTimeZone()).toBe('Asia/Tokyo');
    vi.spyOn(Intl.DateTimeFormat.prototype, 'resolvedOptions').mockReturnValue({
      timeZone: '',
    } as Intl.ResolvedDateTimeFormatOptions);
    expect(systemTimeZone()).toBe('UTC');
  });
});
