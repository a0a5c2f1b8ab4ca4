import { describe, expect, it } from 'vitest';
import { isoWeek, ZoneCalendar } from '../../electron/engine/retention/calendar.js';
import { selectRetention, type RetentionSelection } from '../../electron/engine/retention/select.js';
import { StrataError } from '../../shared/errors.js';
import {
  describeRetention,
  formatDuration,
  isKeepAll,
  matchingPreset,
  parseDuration,
  RETENTION_PRESETS,
  RetentionPolicy,
} from '../../shared/retention.js';

interface Snap {
  id: string;
  time: Date;
}

const DAY_MS = 86_400_000;
const HINT = 'write it like 30d, 2w, 1y6m or 36h (y years, m months, w weeks, d days, h hours)';

const at = (id: string, iso: string): Snap => ({ id, time: new Date(iso) });

/** One snapshot a day at `time` (UTC), id = the UTC date. */
function daily(from: string, to: string, time = '12:00:00'): Snap[] {
  const out: Snap[] = [];
  for (let t = Date.parse(`${from}T${time}Z`); t <= Date.parse(`${to}T${time}Z`); t += DAY_MS) {
    out.push({ id: new Date(t).toISOString().slice(0, 10), time: new Date(t) });
  }
  return out;
}

function select(snaps: readonly Snap[], policy: RetentionPolicy, timeZone = 'UTC', now?: Date) {
  return selectRetention(snaps, policy, now ? { timeZone, now } : { timeZone });
}

function ids(r: RetentionSelection<Snap>): { keep: string[]; remove: string[] } {
  return { keep: r.keep.map((k) => k.snapshot.id), remove: r.remove.map((s) => s.id) };
}

/** 'id: reason, reason' per kept snapshot, newest first. */
function kept(r: RetentionSelection<Snap>): string[] {
  return r.keep.map((k) => `${k.snapshot.id}: ${k.reasons.join(', ')}`);
}

function thrown(fn: () => unknown): StrataError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StrataError);
    return err as StrataError;
  }
  throw new Error('expected a StrataError');
}

describe('parseDuration', () => {
  it.each([
    ['30d', { years: 0, months: 0, days: 30, hours: 0 }],
    ['2w', { years: 0, months: 0, days: 14, hours: 0 }],
    ['1y6m', { years: 1, months: 6, days: 0, hours: 0 }],
    ['36h', { years: 0, months: 0, days: 0, hours: 36 }],
    ['1y2m3w4d5h', { years: 1, months: 2, days: 25, hours: 5 }],
    ['6h1y', { years: 1, months: 0, days: 0, hours: 6 }],
    ['1w3d', { years: 0, months: 0, days: 10, hours: 0 }],
    [' 7d ', { years: 0, months: 0, days: 7, hours: 0 }],
    ['007d', { years: 0, months: 0, days: 7, hours: 0 }],
    ['0y1d', { years: 0, months: 0, days: 1, hours: 0 }],
    ['100000y', { years: 100000, months: 0, days: 0, hours: 0 }],
  ])('reads %j', (text, expected) => {
    expect(parseDuration(text)).toEqual(expected);
  });

  it.each([
    '',
    ' ',
    '30x',
    '30',
    'd',
    '1.5d',
    '-3d',
    '+3d',
    '30 d',
    '30D',
    '1Y',
    '1d2d',
    '1w1w',
    'd30',
    '3dd',
    '100001d',
  ])('refuses %j as malformed', (text) => {
    const err = thrown(() => parseDuration(text));
    expect(err.code).toBe('usage');
    expect(err.message).toBe(`malformed duration '${text}'`);
    expect(err.hint).toBe(HINT);
  });

  it.each(['0d', '0y0m', '0h', '0w'])('refuses the zero duration %j', (text) => {
    const err = thrown(() => parseDuration(text));
    expect(err.code).toBe('usage');
    expect(err.message).toBe(`duration '${text}' is zero`);
    expect(err.hint).toBe(HINT);
  });

  it('formats durations the way restic prints them', () => {
    expect(formatDuration({ years: 1, months: 6, days: 0, hours: 0 })).toBe('1y6m');
    expect(formatDuration({ years: 0, months: 0, days: 14, hours: 0 })).toBe('14d');
    expect(formatDuration({ years: 0, months: 0, days: 0, hours: 36 })).toBe('36h');
    expect(formatDuration({ years: 2, months: 1, days: 3, hours: 4 })).toBe('2y1m3d4h');
    expect(formatDuration({ years: 0, months: 0, days: 0, hours: 0 })).toBe('0d');
    expect(formatDuration(parseDuration('1w3d'))).toBe('10d');
  });
});

describe('RetentionPolicy schema', () => {
  it.each([
    {},
    { keepLast: 0 },
    { keepLast: 5, keepHourly: 24, keepDaily: 7, keepWeekly: 4, keepMonthly: 12, keepYearly: 100000 },
    { keepWithin: '30d' },
    { keepWithin: '1y6m', keepMonthly: 12 },
  ])('accepts %j', (policy) => {
    expect(RetentionPolicy.parse(policy)).toEqual(policy);
  });

  it.each([
    { keepDaily: -1 },
    { keepDaily: 1.5 },
    { keepDaily: 100001 },
    { keepDaily: '7' },
    { keepDaily: Number.NaN },
    { keepWithin: '30x' },
    { keepWithin: '0d' },
    { keepWithin: '' },
    { keepWithin: 30 },
    { keepDayly: 7 },
  ])('refuses %j', (policy) => {
    expect(RetentionPolicy.safeParse(policy).success).toBe(false);
  });
});

describe('isKeepAll', () => {
  it('is true only when no rule is set', () => {
    expect(isKeepAll({})).toBe(true);
    expect(isKeepAll({ keepLast: 0, keepDaily: 0, keepYearly: 0 })).toBe(true);
    expect(isKeepAll({ keepLast: 1 })).toBe(false);
    expect(isKeepAll({ keepHourly: 1 })).toBe(false);
    expect(isKeepAll({ keepWeekly: 1 })).toBe(false);
    expect(isKeepAll({ keepMonthly: 1 })).toBe(false);
    expect(isKeepAll({ keepYearly: 1 })).toBe(false);
    expect(isKeepAll({ keepWithin: '1h' })).toBe(false);
  });
});

describe('presets', () => {
  it('are the three documented policies, with labels', () => {
    expect(RETENTION_PRESETS).toEqual({
      none: { label: 'Keep everything', policy: {} },
      'monthly-year': { label: 'One a month for a year', policy: { keepMonthly: 12 } },
      gfs: {
        label: 'Daily for a week, weekly for a month, monthly for a year',
        policy: { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 },
      },
    });
  });

  it('are valid policies, described in plain words, and cannot be changed by accident', () => {
    for (const preset of Object.values(RETENTION_PRESETS)) {
      expect(RetentionPolicy.parse(preset.policy)).toEqual(preset.policy);
      expect(Object.isFrozen(preset)).toBe(true);
      expect(Object.isFrozen(preset.policy)).toBe(true);
    }
    expect(isKeepAll(RETENTION_PRESETS.none.policy)).toBe(true);
    expect(describeRetention(RETENTION_PRESETS.none.policy)).toBe('Keeps everything');
    expect(describeRetention(RETENTION_PRESETS['monthly-year'].policy)).toBe('Keeps 12 monthly');
    expect(describeRetention(RETENTION_PRESETS.gfs.policy)).toBe('Keeps 7 daily, 4 weekly, 12 monthly');
  });

  it('are recognised in a stored policy, where 0 and unset are the same', () => {
    expect(matchingPreset({})).toBe('none');
    expect(matchingPreset({ keepDaily: 0 })).toBe('none');
    expect(matchingPreset({ keepMonthly: 12 })).toBe('monthly-year');
    expect(matchingPreset({ keepMonthly: 12, keepLast: 0 })).toBe('monthly-year');
    expect(matchingPreset({ keepMonthly: 12, keepWeekly: 4, keepDaily: 7 })).toBe('gfs');
    expect(matchingPreset({ keepMonthly: 11 })).toBeUndefined();
    expect(matchingPreset({ keepMonthly: 12, keepWithin: '30d' })).toBeUndefined();
  });

  it('gfs applied to a month of daily snapshots keeps 7 days, the week ends and the month end', () => {
    const r = select(daily('2026-05-01', '2026-05-31'), RETENTION_PRESETS.gfs.policy);
    // May 2026: the 31st is a Sunday, so weeks end on the 31st, 24th, 17th and 10th.
    expect(ids(r).keep).toEqual([
      '2026-05-31',
      '2026-05-30',
      '2026-05-29',
      '2026-05-28',
      '2026-05-27',
      '2026-05-26',
      '2026-05-25',
      '2026-05-24',
      '2026-05-17',
      '2026-05-10',
      '2026-05-01',
    ]);
    // The monthly rule still has 11 counts left at the oldest snapshot, so restic keeps it too.
    expect(r.keep.at(-1)!.reasons).toEqual(['oldest monthly snapshot']);
  });
});

describe('describeRetention', () => {
  it.each([
    [{}, 'Keeps everything'],
    [{ keepDaily: 0, keepLast: 0 }, 'Keeps everything'],
    [{ keepLast: 5, keepDaily: 7, keepWeekly: 4, keepMonthly: 12 }, 'Keeps the last 5, 7 daily, 4 weekly, 12 monthly'],
    [{ keepLast: 1 }, 'Keeps the latest'],
    [{ keepLast: 3 }, 'Keeps the last 3'],
    [{ keepHourly: 24, keepYearly: 3 }, 'Keeps 24 hourly, 3 yearly'],
    [{ keepYearly: 1, keepLast: 2 }, 'Keeps the last 2, 1 yearly'],
    [{ keepWithin: '30d' }, 'Keeps everything from the last 30 days'],
    [{ keepWithin: '30d', keepMonthly: 12 }, 'Keeps everything from the last 30 days and 12 monthly'],
    [{ keepWithin: '7d', keepLast: 3 }, 'Keeps everything from the last week and the last 3'],
    [
      { keepWithin: '2w', keepDaily: 7, keepMonthly: 6 },
      'Keeps everything from the last 2 weeks and 7 daily, 6 monthly',
    ],
    [{ keepWithin: '1y6m' }, 'Keeps everything from the last 1 year 6 months'],
    [{ keepWithin: '2y' }, 'Keeps everything from the last 2 years'],
    [{ keepWithin: '1m' }, 'Keeps everything from the last month'],
    [{ keepWithin: '1d' }, 'Keeps everything from the last day'],
    [{ keepWithin: '10d' }, 'Keeps everything from the last 10 days'],
    [{ keepWithin: '36h' }, 'Keeps everything from the last 36 hours'],
    [{ keepWithin: '1h' }, 'Keeps everything from the last hour'],
    [{ keepWithin: '1d1h' }, 'Keeps everything from the last 1 day 1 hour'],
  ] as [RetentionPolicy, string][])('%j reads %j', (policy, text) => {
    expect(describeRetention(policy)).toBe(text);
  });
});

describe('isoWeek', () => {
  it.each([
    [2026, 12, 28, 2026, 53],
    [2026, 12, 31, 2026, 53],
    [2027, 1, 1, 2026, 53],
    [2027, 1, 3, 2026, 53],
    [2027, 1, 4, 2027, 1],
    [2025, 12, 28, 2025, 52],
    [2025, 12, 29, 2026, 1],
    [2026, 1, 1, 2026, 1],
    [2021, 1, 3, 2020, 53],
    [2024, 12, 30, 2025, 1],
    [2026, 3, 9, 2026, 11],
  ])('%i-%i-%i is in week %i-W%i', (y, m, d, weekYear, week) => {
    expect(isoWeek(y, m, d)).toEqual({ year: weekYear, week });
  });
});

describe('ZoneCalendar', () => {
  it('reads local wall time through Intl, milliseconds included', () => {
    const berlin = new ZoneCalendar('Europe/Berlin');
    expect(berlin.wall(Date.parse('2026-03-09T23:30:00.250Z'))).toEqual({
      year: 2026,
      month: 3,
      day: 10,
      hour: 0,
      minute: 30,
      second: 0,
      ms: 250,
    });
  });

  it('resolves a wall time skipped by the spring DST change with the offset from before it', () => {
    const berlin = new ZoneCalendar('Europe/Berlin');
    const w = { year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 0, ms: 0 };
    expect(new Date(berlin.instant(w)).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('refuses an unknown zone', () => {
    const err = thrown(() => new ZoneCalendar('Mars/Olympus_Mons'));
    expect(err.code).toBe('usage');
    expect(err.message).toBe("unknown time zone 'Mars/Olympus_Mons'");
    expect(err.hint).toBe('use an IANA name like Europe/Berlin or UTC');
  });
});

describe('selectRetention: each rule alone', () => {
  it('keepLast keeps the n newest', () => {
    const snaps = [
      at('a', '2026-01-01T10:00:00Z'),
      at('b', '2026-01-01T11:00:00Z'),
      at('c', '2026-01-01T12:00:00Z'),
      at('d', '2026-01-01T13:00:00Z'),
      at('e', '2026-01-01T14:00:00Z'),
    ];
    const r = select(snaps, { keepLast: 3 });
    expect(kept(r)).toEqual(['e: last snapshot', 'd: last snapshot', 'c: last snapshot']);
    expect(ids(r).remove).toEqual(['b', 'a']);
    expect(ids(select(snaps, { keepLast: 9 })).keep).toEqual(['e', 'd', 'c', 'b', 'a']);
  });

  it('keepHourly keeps the newest of each of the last n hours that have snapshots', () => {
    const snaps = [
      at('10:05', '2026-02-01T10:05:00Z'),
      at('10:40', '2026-02-01T10:40:00Z'),
      at('11:10', '2026-02-01T11:10:00Z'),
      at('11:50', '2026-02-01T11:50:00Z'),
      at('13:00', '2026-02-01T13:00:00Z'),
      at('13:30', '2026-02-01T13:30:00Z'),
    ];
    const r = select(snaps, { keepHourly: 3 });
    expect(kept(r)).toEqual(['13:30: hourly snapshot', '11:50: hourly snapshot', '10:40: hourly snapshot']);
    expect(ids(r).remove).toEqual(['13:00', '11:10', '10:05']);
  });

  it('keepDaily keeps the newest of each day', () => {
    const snaps = [
      at('mon-08', '2026-03-09T08:00:00Z'),
      at('mon-12', '2026-03-09T12:00:00Z'),
      at('mon-20', '2026-03-09T20:00:00Z'),
      at('tue-08', '2026-03-10T08:00:00Z'),
      at('tue-23', '2026-03-10T23:59:59Z'),
      at('wed-00', '2026-03-11T00:00:00Z'),
    ];
    const r = select(snaps, { keepDaily: 2 });
    expect(kept(r)).toEqual(['wed-00: daily snapshot', 'tue-23: daily snapshot']);
    expect(ids(r).remove).toEqual(['tue-08', 'mon-20', 'mon-12', 'mon-08']);
    expect(ids(select(snaps, { keepDaily: 3 })).keep).toEqual(['wed-00', 'tue-23', 'mon-20']);
  });

  it('keepWeekly keeps the newest of each ISO week (Monday to Sunday)', () => {
    const snaps = [
      at('sun-08', '2026-03-08T12:00:00Z'),
      at('mon-09', '2026-03-09T12:00:00Z'),
      at('wed-11', '2026-03-11T12:00:00Z'),
      at('sun-15', '2026-03-15T12:00:00Z'),
      at('mon-16', '2026-03-16T12:00:00Z'),
    ];
    const r = select(snaps, { keepWeekly: 2 });
    expect(kept(r)).toEqual(['mon-16: weekly snapshot', 'sun-15: weekly snapshot']);
    expect(ids(r).remove).toEqual(['wed-11', 'mon-09', 'sun-08']);
    expect(ids(select(snaps, { keepWeekly: 3 })).keep).toEqual(['mon-16', 'sun-15', 'sun-08']);
  });

  it('keepMonthly keeps the newest of each month', () => {
    const snaps = [
      at('jan-31', '2026-01-31T12:00:00Z'),
      at('feb-01', '2026-02-01T00:00:00Z'),
      at('feb-28', '2026-02-28T23:00:00Z'),
      at('mar-15', '2026-03-15T12:00:00Z'),
      at('may-01', '2026-05-01T12:00:00Z'),
      at('may-02', '2026-05-02T12:00:00Z'),
    ];
    const r = select(snaps, { keepMonthly: 3 });
    expect(kept(r)).toEqual(['may-02: monthly snapshot', 'mar-15: monthly snapshot', 'feb-28: monthly snapshot']);
    expect(ids(r).remove).toEqual(['may-01', 'feb-01', 'jan-31']);
  });

  it('keepYearly keeps the newest of each year', () => {
    const snaps = [
      at('2023-06', '2023-06-01T12:00:00Z'),
      at('2024-03', '2024-03-01T12:00:00Z'),
      at('2024-11', '2024-11-01T12:00:00Z'),
      at('2025-02', '2025-02-01T12:00:00Z'),
      at('2026-01', '2026-01-15T12:00:00Z'),
      at('2026-05', '2026-05-01T12:00:00Z'),
    ];
    const r = select(snaps, { keepYearly: 3 });
    expect(kept(r)).toEqual(['2026-05: yearly snapshot', '2025-02: yearly snapshot', '2024-11: yearly snapshot']);
    expect(ids(r).remove).toEqual(['2026-01', '2024-03', '2023-06']);
    const all = select(snaps, { keepYearly: 10 });
    expect(ids(all)).toEqual({ keep: ['2026-05', '2025-02', '2024-11', '2023-06'], remove: ['2026-01', '2024-03'] });
  });

  it('keepWithin keeps everything within the duration of the newest snapshot, exclusive', () => {
    const snaps = daily('2025-01-01', '2025-01-10');
    const r = select(snaps, { keepWithin: '3d' });
    // Newest is Jan 10 12:00; the cutoff, Jan 7 12:00, is itself out (restic keeps strictly after).
    expect(kept(r)).toEqual(['2025-01-10: within 3d', '2025-01-09: within 3d', '2025-01-08: within 3d']);
    expect(ids(r).remove).toEqual([
      '2025-01-07',
      '2025-01-06',
      '2025-01-05',
      '2025-01-04',
      '2025-01-03',
      '2025-01-02',
      '2025-01-01',
    ]);
  });

  it('gives each rule that matches a snapshot as a reason, in restic order', () => {
    const snaps = [at('old', '2025-06-01T00:00:00Z'), at('new', '2026-06-01T00:00:00Z')];
    const policy = {
      keepWithin: '1d',
      keepLast: 1,
      keepHourly: 1,
      keepDaily: 1,
      keepWeekly: 1,
      keepMonthly: 1,
      keepYearly: 1,
    };
    expect(kept(select(snaps, policy))).toEqual([
      'new: within 1d, last snapshot, hourly snapshot, daily snapshot, weekly snapshot, monthly snapshot, yearly snapshot',
    ]);
    expect(ids(select(snaps, policy)).remove).toEqual(['old']);
  });
});

describe('selectRetention: the oldest snapshot', () => {
  it('is kept by a rule that still has counts left, even in a bucket already kept', () => {
    const snaps = [at('jan1-08', '2026-01-01T08:00:00Z'), at('jan1-20', '2026-01-01T20:00:00Z')];
    expect(kept(select(snaps, { keepDaily: 10 }))).toEqual([
      'jan1-20: daily snapshot',
      'jan1-08: oldest daily snapshot',
    ]);
  });

  it('is not kept once the rule has used its counts', () => {
    const snaps = [
      at('jan1-08', '2026-01-01T08:00:00Z'),
      at('jan1-20', '2026-01-01T20:00:00Z'),
      at('jan2', '2026-01-02T12:00:00Z'),
    ];
    expect(ids(select(snaps, { keepDaily: 2 }))).toEqual({ keep: ['jan2', 'jan1-20'], remove: ['jan1-08'] });
    expect(ids(select(snaps, { keepDaily: 3 }))).toEqual({ keep: ['jan2', 'jan1-20', 'jan1-08'], remove: [] });
  });

  it('keeps half a year of daily snapshots with 12 monthly: each month end and the first day', () => {
    const r = select(daily('2026-06-10', '2026-12-31'), { keepMonthly: 12 });
    expect(kept(r)).toEqual([
      '2026-12-31: monthly snapshot',
      '2026-11-30: monthly snapshot',
      '2026-10-31: monthly snapshot',
      '2026-09-30: monthly snapshot',
      '2026-08-31: monthly snapshot',
      '2026-07-31: monthly snapshot',
      '2026-06-30: monthly snapshot',
      '2026-06-10: oldest monthly snapshot',
    ]);
    expect(r.remove).toHaveLength(205 - 8);
  });
});

describe('selectRetention: grandfather-father-son over a year', () => {
  const year = daily('2026-01-01', '2026-12-31');

  it('7 daily + 4 weekly + 12 monthly keeps exactly these 20 days (UTC)', () => {
    const r = select(year, { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 });
    // 2026-12-31 is a Thursday in ISO week 53 (Dec 28 - Jan 3); the weeks before end on Sundays.
    expect(kept(r)).toEqual([
      '2026-12-31: daily snapshot, weekly snapshot, monthly snapshot',
      '2026-12-30: daily snapshot',
      '2026-12-29: daily snapshot',
      '2026-12-28: daily snapshot',
      '2026-12-27: daily snapshot, weekly snapshot',
      '2026-12-26: daily snapshot',
      '2026-12-25: daily snapshot',
      '2026-12-20: weekly snapshot',
      '2026-12-13: weekly snapshot',
      '2026-11-30: monthly snapshot',
      '2026-10-31: monthly snapshot',
      '2026-09-30: monthly snapshot',
      '2026-08-31: monthly snapshot',
      '2026-07-31: monthly snapshot',
      '2026-06-30: monthly snapshot',
      '2026-05-31: monthly snapshot',
      '2026-04-30: monthly snapshot',
      '2026-03-31: monthly snapshot',
      '2026-02-28: monthly snapshot',
      '2026-01-31: monthly snapshot',
    ]);
    expect(r.remove).toHaveLength(365 - 20);
    expect(r.remove[0]!.id).toBe('2026-12-24');
    expect(r.remove.at(-1)!.id).toBe('2026-01-01');
  });

  it('the same year at 23:30 UTC, bucketed in Europe/Berlin where each falls on the next day', () => {
    const late = daily('2026-01-01', '2026-12-31', '23:30:00');
    const r = select(late, { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 }, 'Europe/Berlin');
    // Local dates run Jan 2 2026 .. Jan 1 2027: the newest is January 2027, the next the end of December.
    expect(kept(r)).toEqual([
      '2026-12-31: daily snapshot, weekly snapshot, monthly snapshot',
      '2026-12-30: daily snapshot, monthly snapshot',
      '2026-12-29: daily snapshot',
      '2026-12-28: daily snapshot',
      '2026-12-27: daily snapshot',
      '2026-12-26: daily snapshot, weekly snapshot',
      '2026-12-25: daily snapshot',
      '2026-12-19: weekly snapshot',
      '2026-12-12: weekly snapshot',
      '2026-11-29: monthly snapshot',
      '2026-10-30: monthly snapshot',
      '2026-09-29: monthly snapshot',
      '2026-08-30: monthly snapshot',
      '2026-07-30: monthly snapshot',
      '2026-06-29: monthly snapshot',
      '2026-05-30: monthly snapshot',
      '2026-04-29: monthly snapshot',
      '2026-03-30: monthly snapshot',
      '2026-02-27: monthly snapshot',
    ]);
    expect(r.remove).toHaveLength(365 - 19);
  });

  it('with keepLast 3 and keepYearly 2 on top, adds the last three and the newest of the year', () => {
    const r = select(year, { keepLast: 3, keepDaily: 2, keepYearly: 2 });
    expect(kept(r)).toEqual([
      '2026-12-31: last snapshot, daily snapshot, yearly snapshot',
      '2026-12-30: last snapshot, daily snapshot',
      '2026-12-29: last snapshot',
      // Only one year present: the yearly rule has a count left at the oldest.
      '2026-01-01: oldest yearly snapshot',
    ]);
  });
});

describe('selectRetention: gaps and several snapshots a day', () => {
  it('days without snapshots do not use up daily counts', () => {
    const snaps = [
      at('jan01', '2026-01-01T12:00:00Z'),
      at('jan02', '2026-01-02T12:00:00Z'),
      at('jan05', '2026-01-05T12:00:00Z'),
      at('jan09', '2026-01-09T12:00:00Z'),
      at('jan10', '2026-01-10T12:00:00Z'),
    ];
    expect(ids(select(snaps, { keepDaily: 3 }))).toEqual({
      keep: ['jan10', 'jan09', 'jan05'],
      remove: ['jan02', 'jan01'],
    });
  });

  it('months without snapshots do not use up monthly counts', () => {
    const snaps = [
      at('2025-11', '2025-11-20T12:00:00Z'),
      at('2026-02', '2026-02-10T12:00:00Z'),
      at('2026-02b', '2026-02-11T12:00:00Z'),
      at('2026-07', '2026-07-04T12:00:00Z'),
    ];
    expect(ids(select(snaps, { keepMonthly: 2 }))).toEqual({
      keep: ['2026-07', '2026-02b'],
      remove: ['2026-02', '2025-11'],
    });
  });

  it('of hourly snapshots over three days, keepDaily keeps the 23:00 one of each day', () => {
    const snaps: Snap[] = [];
    for (let t = Date.parse('2026-04-01T00:00:00Z'); t < Date.parse('2026-04-04T00:00:00Z'); t += 3_600_000) {
      snaps.push({ id: new Date(t).toISOString().slice(0, 13), time: new Date(t) });
    }
    const r = select(snaps, { keepDaily: 3 });
    expect(ids(r).keep).toEqual(['2026-04-03T23', '2026-04-02T23', '2026-04-01T23']);
    expect(r.remove).toHaveLength(72 - 3);
  });
});

describe('selectRetention: ISO weeks at the year end', () => {
  it('treats 2026-12-28 .. 2027-01-03 as one week (2026-W53)', () => {
    const snaps = [
      at('2026-12-28', '2026-12-28T12:00:00Z'),
      at('2026-12-31', '2026-12-31T12:00:00Z'),
      at('2027-01-01', '2027-01-01T12:00:00Z'),
      at('2027-01-03', '2027-01-03T12:00:00Z'),
      at('2027-01-04', '2027-01-04T12:00:00Z'),
    ];
    expect(ids(select(snaps, { keepWeekly: 2 }))).toEqual({
      keep: ['2027-01-04', '2027-01-03'],
      remove: ['2027-01-01', '2026-12-31', '2026-12-28'],
    });
  });

  it('treats 2025-12-29 as week 1 of 2026, apart from Sunday 2025-12-28', () => {
    const snaps = [
      at('2025-12-28', '2025-12-28T12:00:00Z'),
      at('2025-12-29', '2025-12-29T12:00:00Z'),
      at('2026-01-01', '2026-01-01T12:00:00Z'),
    ];
    expect(kept(select(snaps, { keepWeekly: 5 }))).toEqual([
      '2026-01-01: weekly snapshot',
      '2025-12-28: weekly snapshot',
    ]);
    expect(ids(select(snaps, { keepWeekly: 5 })).remove).toEqual(['2025-12-29']);
  });

  it('while the yearly rule splits that same week at New Year', () => {
    const snaps = [at('2026-12-31', '2026-12-31T12:00:00Z'), at('2027-01-01', '2027-01-01T12:00:00Z')];
    expect(ids(select(snaps, { keepYearly: 2 })).keep).toEqual(['2027-01-01', '2026-12-31']);
    expect(ids(select(snaps, { keepWeekly: 1 }))).toEqual({ keep: ['2027-01-01'], remove: ['2026-12-31'] });
  });
});

describe('selectRetention: time zones', () => {
  const days = [
    at('mar08-noon', '2026-03-08T12:00:00Z'),
    at('mar09-10', '2026-03-09T10:00:00Z'),
    at('mar09-2330', '2026-03-09T23:30:00Z'),
  ];

  it('23:30 UTC is the same day in UTC', () => {
    expect(ids(select(days, { keepDaily: 2 }))).toEqual({
      keep: ['mar09-2330', 'mar08-noon'],
      remove: ['mar09-10'],
    });
  });

  it('23:30 UTC is the next day (00:30) in Europe/Berlin', () => {
    expect(ids(select(days, { keepDaily: 2 }, 'Europe/Berlin'))).toEqual({
      keep: ['mar09-2330', 'mar09-10'],
      remove: ['mar08-noon'],
    });
  });

  it('Asia/Kolkata (+05:30) splits hours that UTC keeps together', () => {
    const snaps = [
      at('09:00Z', '2026-05-01T09:00:00Z'),
      at('10:20Z', '2026-05-01T10:20:00Z'),
      at('10:40Z', '2026-05-01T10:40:00Z'),
    ];
    expect(ids(select(snaps, { keepHourly: 2 }))).toEqual({ keep: ['10:40Z', '09:00Z'], remove: ['10:20Z'] });
    // Local 14:30, 15:50, 16:10.
    expect(ids(select(snaps, { keepHourly: 2 }, 'Asia/Kolkata'))).toEqual({
      keep: ['10:40Z', '10:20Z'],
      remove: ['09:00Z'],
    });
  });

  it('America/New_York puts 03:00 UTC on March 1 into February', () => {
    const snaps = [at('feb', '2026-02-15T12:00:00Z'), at('mar1-03Z', '2026-03-01T03:00:00Z')];
    expect(ids(select(snaps, { keepMonthly: 1 }))).toEqual({ keep: ['mar1-03Z'], remove: ['feb'] });
    expect(ids(select([...snaps, at('mar', '2026-03-10T12:00:00Z')], { keepMonthly: 2 }, 'America/New_York'))).toEqual({
      keep: ['mar', 'mar1-03Z'],
      remove: ['feb'],
    });
  });

  it('Europe/Berlin puts 23:30 UTC on New Year’s Eve into the next year', () => {
    const snaps = [
      at('jun', '2026-06-01T12:00:00Z'),
      at('dec31-noon', '2026-12-31T12:00:00Z'),
      at('dec31-2330', '2026-12-31T23:30:00Z'),
    ];
    expect(kept(select(snaps, { keepYearly: 2 }))).toEqual([
      'dec31-2330: yearly snapshot',
      'jun: oldest yearly snapshot',
    ]);
    expect(kept(select(snaps, { keepYearly: 2 }, 'Europe/Berlin'))).toEqual([
      'dec31-2330: yearly snapshot',
      'dec31-noon: yearly snapshot',
    ]);
  });

  it('buckets by the wall clock, so the hour repeated when DST ends is one hour', () => {
    // Europe/Berlin, 2026-10-25: 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
    const snaps = [
      at('01:30-cest', '2026-10-24T23:30:00Z'),
      at('02:30-cest', '2026-10-25T00:30:00Z'),
      at('02:30-cet', '2026-10-25T01:30:00Z'),
    ];
    expect(ids(select(snaps, { keepHourly: 2 }, 'Europe/Berlin'))).toEqual({
      keep: ['02:30-cet', '01:30-cest'],
      remove: ['02:30-cest'],
    });
    expect(ids(select(snaps, { keepHourly: 2 }))).toEqual({
      keep: ['02:30-cet', '02:30-cest'],
      remove: ['01:30-cest'],
    });
  });

  it('refuses an unknown zone even with nothing to select', () => {
    const err = thrown(() => select([], { keepDaily: 1 }, 'Not/A_Zone'));
    expect(err.message).toBe("unknown time zone 'Not/A_Zone'");
  });
});

describe('selectRetention: keepWithin', () => {
  it('counts from the newest snapshot, not from now: a machine that stopped in 2020 keeps its last month', () => {
    const snaps = daily('2020-05-01', '2020-06-15');
    const r = select(snaps, { keepWithin: '10d' }, 'UTC', new Date('2026-01-01T00:00:00Z'));
    expect(ids(r).keep).toEqual([
      '2020-06-15',
      '2020-06-14',
      '2020-06-13',
      '2020-06-12',
      '2020-06-11',
      '2020-06-10',
      '2020-06-09',
      '2020-06-08',
      '2020-06-07',
      '2020-06-06',
    ]);
    expect(r.keep[0]!.reasons).toEqual(['within 10d']);
    expect(r.remove).toHaveLength(46 - 10);
  });

  it('subtracts months on the calendar, overflowing past a short month as restic (Go AddDate) does', () => {
    // Mar 31 minus one month is "Feb 31", which Go normalises to Mar 3.
    const snaps = [
      at('feb-28', '2026-02-28T12:00:00Z'),
      at('mar-03-12', '2026-03-03T12:00:00Z'),
      at('mar-03-13', '2026-03-03T13:00:00Z'),
      at('mar-04', '2026-03-04T00:00:00Z'),
      at('mar-31', '2026-03-31T12:00:00Z'),
    ];
    expect(ids(select(snaps, { keepWithin: '1m' }))).toEqual({
      keep: ['mar-31', 'mar-04', 'mar-03-13'],
      remove: ['mar-03-12', 'feb-28'],
    });
  });

  it('in a leap year, one month back from Mar 31 is Mar 2, and one year back from Feb 29 is Mar 1', () => {
    const march = [
      at('mar-02', '2024-03-02T12:00:00Z'),
      at('mar-02b', '2024-03-02T12:00:01Z'),
      at('end', '2024-03-31T12:00:00Z'),
    ];
    expect(ids(select(march, { keepWithin: '1m' }))).toEqual({ keep: ['end', 'mar-02b'], remove: ['mar-02'] });
    const leap = [
      at('2023-02-28', '2023-02-28T12:00:00Z'),
      at('2023-03-01', '2023-03-01T12:00:00Z'),
      at('2023-03-01b', '2023-03-01T12:00:01Z'),
      at('2024-02-29', '2024-02-29T12:00:00Z'),
    ];
    expect(ids(select(leap, { keepWithin: '1y' }))).toEqual({
      keep: ['2024-02-29', '2023-03-01b'],
      remove: ['2023-03-01', '2023-02-28'],
    });
  });

  it('one month back from May 31 is May 1 (April has 30 days)', () => {
    const snaps = [
      at('apr-30', '2026-04-30T12:00:00Z'),
      at('may-01', '2026-05-01T12:00:00Z'),
      at('may-01b', '2026-05-01T13:00:00Z'),
      at('may-31', '2026-05-31T12:00:00Z'),
    ];
    expect(ids(select(snaps, { keepWithin: '1m' }))).toEqual({
      keep: ['may-31', 'may-01b'],
      remove: ['may-01', 'apr-30'],
    });
  });

  it('a calendar day across the spring DST change is 23 hours; 24h is 24 hours', () => {
    // Europe/Berlin springs forward at 01:00 UTC on 2026-03-29: 14:00 CEST minus a day is 14:00 CET = 13:00 UTC.
    const snaps = [
      at('12:30Z', '2026-03-28T12:30:00Z'),
      at('13:30Z', '2026-03-28T13:30:00Z'),
      at('newest', '2026-03-29T12:00:00Z'),
    ];
    expect(ids(select(snaps, { keepWithin: '1d' }, 'Europe/Berlin'))).toEqual({
      keep: ['newest', '13:30Z'],
      remove: ['12:30Z'],
    });
    expect(ids(select(snaps, { keepWithin: '1d' }))).toEqual({ keep: ['newest', '13:30Z', '12:30Z'], remove: [] });
    expect(ids(select(snaps, { keepWithin: '24h' }, 'Europe/Berlin')).keep).toEqual(['newest', '13:30Z', '12:30Z']);
  });

  it('applies calendar steps first, then hours', () => {
    // Newest Mar 31 12:00; 1m36h: Mar 3 12:00 (Go overflow) minus 36 h = Mar 2 00:00, exclusive.
    const snaps = [
      at('mar-02-00', '2026-03-02T00:00:00Z'),
      at('mar-02-01', '2026-03-02T01:00:00Z'),
      at('mar-31', '2026-03-31T12:00:00Z'),
    ];
    expect(ids(select(snaps, { keepWithin: '1m36h' }))).toEqual({
      keep: ['mar-31', 'mar-02-01'],
      remove: ['mar-02-00'],
    });
  });

  it('names weeks as days in the reason', () => {
    const r = select([at('a', '2026-01-01T00:00:00Z')], { keepWithin: '2w' });
    expect(kept(r)).toEqual(['a: within 14d']);
  });

  it('ignores snapshots after `now` when finding the newest, as restic does with clock skew', () => {
    const snaps = [
      at('2025-12-01', '2025-12-01T12:00:00Z'),
      at('2026-01-05', '2026-01-05T12:00:00Z'),
      at('2026-01-10', '2026-01-10T12:00:00Z'),
      at('future', '2030-01-01T00:00:00Z'),
    ];
    expect(ids(select(snaps, { keepWithin: '10d' }, 'UTC', new Date('2026-01-11T00:00:00Z')))).toEqual({
      keep: ['future', '2026-01-10', '2026-01-05'],
      remove: ['2025-12-01'],
    });
    // Without a clock the future snapshot is the newest, and the rest fall out of the window.
    expect(ids(select(snaps, { keepWithin: '10d' }))).toEqual({
      keep: ['future'],
      remove: ['2026-01-10', '2026-01-05', '2025-12-01'],
    });
    // Everything in the future: nothing to count back from, so everything is within.
    expect(ids(select(snaps, { keepWithin: '10d' }, 'UTC', new Date('2020-01-01T00:00:00Z'))).remove).toEqual([]);
  });

  it('reaching back past year 1 keeps everything', () => {
    const snaps = [at('old', '1990-01-01T00:00:00Z'), at('new', '2026-01-01T00:00:00Z')];
    expect(ids(select(snaps, { keepWithin: '100000y' }))).toEqual({ keep: ['new', 'old'], remove: [] });
  });

  it('works with count rules: within keeps the recent ones, monthly the older month ends', () => {
    const r = select(daily('2026-01-01', '2026-04-15'), { keepWithin: '3d', keepMonthly: 3 });
    expect(kept(r)).toEqual([
      '2026-04-15: within 3d, monthly snapshot',
      '2026-04-14: within 3d',
      '2026-04-13: within 3d',
      '2026-03-31: monthly snapshot',
      '2026-02-28: monthly snapshot',
    ]);
  });
});

describe('selectRetention: ties, order, empty', () => {
  const tied = [
    at('b', '2026-01-01T12:00:00Z'),
    at('d', '2026-01-01T11:00:00Z'),
    at('a', '2026-01-01T12:00:00Z'),
    at('c', '2026-01-01T12:00:00Z'),
  ];

  it('keepLast breaks equal times by id, the larger id counting as newer', () => {
    expect(ids(select(tied, { keepLast: 2 }))).toEqual({ keep: ['c', 'b'], remove: ['a', 'd'] });
    expect(ids(select(tied, { keepLast: 3 }))).toEqual({ keep: ['c', 'b', 'a'], remove: ['d'] });
  });

  it('bucket rules keep the larger id of equal times', () => {
    expect(ids(select(tied, { keepDaily: 1 }))).toEqual({ keep: ['c'], remove: ['b', 'a', 'd'] });
  });

  it('gives the same answer for every order of the input', () => {
    const base = select(tied, { keepLast: 2, keepHourly: 5 });
    const orders = [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [2, 0, 3, 1],
      [1, 3, 0, 2],
    ];
    for (const order of orders) {
      expect(
        kept(
          select(
            order.map((i) => tied[i]!),
            { keepLast: 2, keepHourly: 5 },
          ),
        ),
      ).toEqual(kept(base));
    }
    expect(kept(base)).toEqual(['c: last snapshot, hourly snapshot', 'b: last snapshot', 'd: hourly snapshot']);
    expect(ids(base).remove).toEqual(['a']);
  });

  it('leaves the input array as it was', () => {
    const input = [...tied];
    select(input, { keepLast: 1 });
    expect(input.map((s) => s.id)).toEqual(['b', 'd', 'a', 'c']);
  });

  it('an empty policy keeps everything, newest first', () => {
    for (const policy of [{}, { keepLast: 0, keepDaily: 0, keepWeekly: 0 }]) {
      const r = select(tied, policy);
      expect(kept(r)).toEqual([
        'c: policy keeps everything',
        'b: policy keeps everything',
        'a: policy keeps everything',
        'd: policy keeps everything',
      ]);
      expect(r.remove).toEqual([]);
    }
  });

  it('never removes anything from an empty input', () => {
    for (const policy of [
      {},
      { keepLast: 1 },
      { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 },
      { keepWithin: '1d' },
    ]) {
      expect(select([], policy)).toEqual({ keep: [], remove: [] });
    }
  });

  it('keeps the only snapshot for any rule', () => {
    const one = [at('only', '2026-01-01T00:00:00Z')];
    for (const policy of [{ keepLast: 1 }, { keepHourly: 1 }, { keepYearly: 1 }, { keepWithin: '1h' }]) {
      expect(ids(select(one, policy))).toEqual({ keep: ['only'], remove: [] });
    }
  });

  it('refuses a policy the schema refuses, before removing anything', () => {
    const err = thrown(() => select(tied, { keepDaily: -1 }));
    expect(err.code).toBe('usage');
    expect(err.message).toMatch(/^invalid retention policy: keepDaily: /);
    expect(err.hint).toBe('counts are whole numbers from 0 to 100000; keepWithin is a duration like 30d');
    const bad = thrown(() => select(tied, { keepWithin: '30x' }));
    expect(bad.message).toMatch(/^invalid retention policy: keepWithin: /);
    expect(thrown(() => select(tied, { keepLast: 1, extra: 1 } as RetentionPolicy)).code).toBe('usage');
  });

  it('refuses a snapshot without a valid time', () => {
    const err = thrown(() => select([at('bad', 'not a date')], { keepLast: 1 }));
    expect(err.code).toBe('internal');
    expect(err.message).toBe('snapshot bad has no valid time');
  });
});

/** mulberry32: small, seeded, good enough to shuffle test inputs reproducibly. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham'];

function randomCase(next: () => number): { snaps: Snap[]; policy: RetentionPolicy; timeZone: string } {
  const int = (n: number): number => Math.floor(next() * n);
  const start = Date.parse('2024-01-01T00:00:00Z');
  // Spread over a few hours to a few years, so some cases crowd buckets and others leave gaps.
  const span = [6 * 3_600_000, 20 * DAY_MS, 400 * DAY_MS, 1200 * DAY_MS][int(4)]!;
  const snaps: Snap[] = [];
  const count = int(60);
  for (let i = 0; i < count; i++) {
    // One in five reuses an earlier time, to exercise ties.
    const time = i > 0 && next() < 0.2 ? snaps[int(i)]!.time : new Date(start + int(span / 60_000) * 60_000);
    snaps.push({ id: `s${String(i).padStart(3, '0')}-${int(1e6)}`, time });
  }
  const policy: RetentionPolicy = {};
  for (const key of ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly'] as const) {
    if (next() < 0.35) policy[key] = int(6);
  }
  if (next() < 0.3) policy.keepWithin = ['12h', '3d', '2w', '1m', '1y', '1m3d5h'][int(6)]!;
  return { snaps, policy, timeZone: ZONES[int(ZONES.length)]! };
}

function newestFirst(a: Snap, b: Snap): number {
  const dt = b.time.getTime() - a.time.getTime();
  return dt !== 0 ? dt : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** The bucket key of a rule, worked out independently of the code under test (except ISO weeks). */
function bucketKeys(
  timeZone: string,
): Record<'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly', (t: Date) => string> {
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
  });
  const parts = (t: Date): Record<string, string> =>
    Object.fromEntries(fmt.formatToParts(t).map((p) => [p.type, p.value] as const));
  return {
    hourly: (t) => {
      const p = parts(t);
      return `${p.year}-${p.month}-${p.day}T${p.hour}`;
    },
    daily: (t) => {
      const p = parts(t);
      return `${p.year}-${p.month}-${p.day}`;
    },
    weekly: (t) => {
      const p = parts(t);
      const w = isoWeek(Number(p.year), Number(p.month), Number(p.day));
      return `${w.year}-W${w.week}`;
    },
    monthly: (t) => {
      const p = parts(t);
      return `${p.year}-${p.month}`;
    },
    yearly: (t) => parts(t).year!,
  };
}

/** What one bucket rule should keep: the newest of each of the n newest buckets, plus the oldest if counts are left. */
function expectedFor(sorted: Snap[], n: number, key: (t: Date) => string): string[] {
  const out: string[] = [];
  let last: string | undefined;
  sorted.forEach((s, i) => {
    if (out.length >= n) return;
    const k = key(s.time);
    if (k !== last || i === sorted.length - 1) out.push(s.id);
    last = k;
  });
  return out;
}

describe('selectRetention: properties over random inputs (seeded)', () => {
  const cases = Array.from({ length: 400 }, (_, i) => {
    const next = rng(0x5eed + i);
    return { seed: i, ...randomCase(next), shuffle: rng(0xbeef + i) };
  });

  it('splits the input into keep and remove, both newest first, disjoint and complete', () => {
    for (const { snaps, policy, timeZone } of cases) {
      const r = selectRetention(snaps, policy, { timeZone });
      const keepIds = r.keep.map((k) => k.snapshot.id);
      const removeIds = r.remove.map((s) => s.id);
      expect([...keepIds, ...removeIds].sort()).toEqual(snaps.map((s) => s.id).sort());
      expect(new Set([...keepIds, ...removeIds]).size).toBe(snaps.length);
      expect(r.keep.map((k) => k.snapshot)).toEqual([...r.keep.map((k) => k.snapshot)].sort(newestFirst));
      expect(r.remove).toEqual([...r.remove].sort(newestFirst));
      for (const k of r.keep) expect(k.reasons.length).toBeGreaterThan(0);
    }
  });

  it('always keeps the newest snapshot, and everything when no rule is set', () => {
    for (const { snaps, policy, timeZone } of cases) {
      const r = selectRetention(snaps, policy, { timeZone });
      if (snaps.length === 0) continue;
      const newest = [...snaps].sort(newestFirst)[0]!;
      expect(r.keep[0]!.snapshot).toBe(newest);
      if (isKeepAll(policy)) expect(r.remove).toEqual([]);
    }
  });

  it('is idempotent: selecting again from what was kept keeps all of it', () => {
    for (const { snaps, policy, timeZone } of cases) {
      const first = selectRetention(snaps, policy, { timeZone });
      const again = selectRetention(
        first.keep.map((k) => k.snapshot),
        policy,
        { timeZone },
      );
      expect(again.remove).toEqual([]);
      expect(again.keep.map((k) => k.snapshot.id)).toEqual(first.keep.map((k) => k.snapshot.id));
    }
  });

  it('does not depend on the order of the input', () => {
    for (const { snaps, policy, timeZone, shuffle } of cases) {
      const shuffled = [...snaps];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(shuffle() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      const a = selectRetention(snaps, policy, { timeZone });
      const b = selectRetention(shuffled, policy, { timeZone });
      expect(b).toEqual(a);
    }
  });

  it('each rule keeps exactly what an independent reading of restic says', () => {
    for (const { snaps, policy, timeZone } of cases) {
      const r = selectRetention(snaps, policy, { timeZone });
      const sorted = [...snaps].sort(newestFirst);
      const keys = bucketKeys(timeZone);
      const keptBy = (reason: string): string[] =>
        r.keep.filter((k) => k.reasons.some((x) => x === reason || x === `oldest ${reason}`)).map((k) => k.snapshot.id);
      expect(keptBy('last snapshot')).toEqual(sorted.slice(0, policy.keepLast ?? 0).map((s) => s.id));
      for (const [word, key] of [
        ['hourly', 'keepHourly'],
        ['daily', 'keepDaily'],
        ['weekly', 'keepWeekly'],
        ['monthly', 'keepMonthly'],
        ['yearly', 'keepYearly'],
      ] as const) {
        expect(keptBy(`${word} snapshot`)).toEqual(expectedFor(sorted, policy[key] ?? 0, keys[word]));
      }
      if (policy.keepWithin === '12h' && sorted.length > 0) {
        const cutoff = sorted[0]!.time.getTime() - 12 * 3_600_000;
        const within = r.keep.filter((k) => k.reasons.includes('within 12h')).map((k) => k.snapshot.id);
        expect(within).toEqual(sorted.filter((s) => s.time.getTime() > cutoff).map((s) => s.id));
      }
      if (!isKeepAll(policy)) {
        for (const k of r.keep) expect(k.reasons).not.toContain('policy keeps everything');
      }
    }
  });
});
