import { describe, expect, it } from 'vitest';
import { combinedHistory, monthLabel, niceCeiling } from '../../renderer/src/cost/cost-history.js';
import { activityParts, usageWords } from '../../renderer/src/cost/cost-words.js';
import { formatMoney, formatMonthly, formatUnitPrice } from '../../renderer/src/cost/money.js';
import { parsePrice } from '../../renderer/src/cost/price-fields.js';
import type { DestinationCost } from '../../shared/api/cost.js';

describe('money', () => {
  it('shows cents, a tenth of a cent for tiny amounts, and exactly zero as $0.00', () => {
    expect(formatMoney(0)).toBe('$0.00');
    expect(formatMoney(1.234)).toBe('$1.23');
    expect(formatMoney(1.235001)).toBe('$1.24');
    expect(formatMoney(1234.5)).toBe('$1,234.50');
    expect(formatMoney(0.01)).toBe('$0.01');
    expect(formatMoney(0.005)).toBe('$0.01');
    expect(formatMoney(0.004)).toBe('$0.004');
    expect(formatMoney(0.0012)).toBe('$0.001');
    expect(formatMoney(0.0004)).toBe('< $0.001');
    expect(formatMoney(1e-12)).toBe('< $0.001');
    expect(formatMoney(-0.5)).toBe('−$0.50');
    expect(formatMoney(-0.002)).toBe('−$0.002');
    expect(formatMoney(Number.NaN)).toBe('–');
  });

  it('says Free for a zero monthly estimate and per month otherwise', () => {
    expect(formatMonthly(0)).toBe('Free');
    expect(formatMonthly(2.5)).toBe('$2.50/month');
    expect(formatMonthly(0.0002)).toBe('< $0.001/month');
  });

  it('prints price-table figures with the decimals they need', () => {
    expect(formatUnitPrice(0)).toBe('$0');
    expect(formatUnitPrice(0.023)).toBe('$0.023');
    expect(formatUnitPrice(0.00099)).toBe('$0.00099');
    expect(formatUnitPrice(6)).toBe('$6');
    expect(formatUnitPrice(0.0000004)).toBe('< $0.000001');
  });

  it('reads a typed price, refusing negatives, words and nothing', () => {
    expect(parsePrice('0.02')).toEqual({ value: 0.02 });
    expect(parsePrice(' $0,005 ')).toEqual({ value: 0.005 });
    expect(parsePrice('0')).toEqual({ value: 0 });
    expect(parsePrice('-1')).toMatchObject({ problem: expect.stringMatching(/0 or more/) });
    expect(parsePrice('abc')).toMatchObject({ problem: expect.stringMatching(/Give a number/) });
    expect(parsePrice('')).toMatchObject({ problem: expect.stringMatching(/Give a number/) });
    expect(parsePrice('1e12')).toMatchObject({ problem: expect.stringMatching(/smaller/) });
  });
});

describe('cost words and history', () => {
  const usage = { bytes: 103_400_000_000, objects: 12_345, at: Date.now() - 2 * 3600_000, measured: true };

  it('says whether the stored figures were counted or carried forward', () => {
    expect(usageWords(usage)).toBe('103 GB in 12,345 objects, counted 2 hours ago');
    expect(usageWords({ ...usage, measured: false })).toBe(
      '103 GB in 12,345 objects, estimated from runs since the last count',
    );
    expect(usageWords({ ...usage, at: null })).toBe('Nothing stored yet');
  });

  it('lists only the traffic there is', () => {
    expect(
      activityParts({ uploadBytes: 1_200_000, putRequests: 1234.4, getRequests: 0, listRequests: 3, verifyBytes: 0 }),
    ).toEqual(['1.2 MB uploaded', '1,234 PUT', '3 LIST']);
    expect(activityParts({ uploadBytes: 0, putRequests: 0, getRequests: 0, listRequests: 0, verifyBytes: 0 })).toEqual(
      [],
    );
  });

  it('adds destinations month by month, oldest first, at most twelve', () => {
    const dest = (history: DestinationCost['history']) => ({ history }) as DestinationCost;
    const a = dest([
      { month: '2026-10', bytes: 100, cost: 1 },
      { month: '2026-11', bytes: 200, cost: 2 },
    ]);
    const b = dest([{ month: '2026-11', bytes: 50, cost: 0.5 }]);
    expect(combinedHistory([b, a])).toEqual([
      { month: '2026-10', bytes: 100, cost: 1 },
      { month: '2026-11', bytes: 250, cost: 2.5 },
    ]);
    const long = dest(
      Array.from({ length: 14 }, (_, i) => ({
        month: `20${25 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`,
        bytes: i,
        cost: 0,
      })),
    );
    const months = combinedHistory([long]).map((p) => p.month);
    expect(months).toHaveLength(12);
    expect(months[0]).toBe('2025-03');
    expect(months[11]).toBe('2026-02');
    expect(monthLabel('2026-01')).toBe('Jan');
    expect(monthLabel('2026-11', true)).toBe('Nov 2026');
  });

  it('rounds the chart top up to a figure whose half is round too', () => {
    expect(niceCeiling(0)).toBe(1);
    expect(niceCeiling(300_000)).toBe(300_000);
    expect(niceCeiling(1_000_000)).toBe(1_000_000);
    expect(niceCeiling(1_100_000_000)).toBe(1_200_000_000);
    expect(niceCeiling(1_300_000_000)).toBe(1_600_000_000);
    expect(niceCeiling(50_400_000_000)).toBe(60_000_000_000);
    expect(niceCeiling(5_100)).toBe(6_000);
    expect(niceCeiling(9_000)).toBe(10_000);
  });
});
