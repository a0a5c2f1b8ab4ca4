/**
 * Worked examples of the estimator, each figure worked out by hand from the dated table
 * (electron/engine/cost/price-table.ts) so a change of price or formula shows here.
 */
import { describe, expect, it } from 'vitest';
import { versionLifetimes, shortestKeepDays } from '../../electron/engine/cost/lifetimes.js';
import { emptyUsage, monthlyCost, NO_ACTIVITY } from '../../electron/engine/cost/monthly-cost.js';
import { effectiveTable } from '../../electron/engine/cost/price-overrides.js';
import { priceRow } from '../../electron/engine/cost/price-table.js';
import { restoreCost } from '../../electron/engine/cost/restore-cost.js';
import { usd } from '../../electron/engine/cost/usd.js';

const GIB = 1024 ** 3;
const cents = (n: number): number => Math.round(n * 100) / 100;

describe('monthly storage, worked examples', () => {
  it('100 GB on Backblaze B2: 100 × $0.006 less the free 10 GB = $0.54', () => {
    const e = monthlyCost(priceRow('b2'), emptyUsage(100e9, 10_000));
    expect(e.lines.map((l) => [l.kind, cents(l.amount)])).toEqual([
      ['storage', 0.6],
      ['freeTier', -0.06],
    ]);
    expect(e.total).toBeCloseTo(0.54, 10);
  });

  it('100 GB on Cloudflare R2: 100 × $0.015 less the free 10 GB = $1.35', () => {
    const e = monthlyCost(priceRow('r2-standard'), emptyUsage(100 * GIB, 10_000));
    expect(e.total).toBeCloseTo(1.35, 10);
  });

  it('100 GB on S3 Standard: 100 × $0.023 = $2.30', () => {
    const e = monthlyCost(priceRow('aws-standard'), emptyUsage(100 * GIB, 10_000));
    expect(e.total).toBeCloseTo(2.3, 10);
  });

  it('100 GB on Glacier Deep Archive: $0.099 plus 40 KB of index per object', () => {
    const e = monthlyCost(priceRow('aws-deep-archive'), emptyUsage(100 * GIB, 10_000));
    // 10,000 × 32 KiB at $0.00099 + 10,000 × 8 KiB at $0.023
    const index = ((10_000 * 32 * 1024) / GIB) * 0.00099 + ((10_000 * 8 * 1024) / GIB) * 0.023;
    expect(index).toBeCloseTo(0.00206, 5);
    expect(e.total).toBeCloseTo(0.099 + index, 10);
    expect(cents(e.total)).toBe(0.1);
  });

  it('1 TB (decimal) on Wasabi is below its 1 TB (1,024 GB) minimum: billed $6.99', () => {
    const e = monthlyCost(priceRow('wasabi'), emptyUsage(1e12, 50_000));
    const stored = 1e12 / GIB; // 931.3 GB
    expect(e.lines[0]!.amount).toBeCloseTo((stored * 6.99) / 1024, 10);
    expect(e.lines[1]!.kind).toBe('minimum');
    expect(e.lines[1]!.amount).toBeCloseTo(((1024 - stored) * 6.99) / 1024, 10);
    expect(e.total).toBeCloseTo(6.99, 10);
    // And 200 GB is billed the same.
    expect(monthlyCost(priceRow('wasabi'), emptyUsage(200 * GIB, 1)).total).toBeCloseTo(6.99, 10);
    // Above the minimum only storage is billed: 2 TB = $13.98.
    expect(monthlyCost(priceRow('wasabi'), emptyUsage(2048 * GIB, 1)).total).toBeCloseTo(13.98, 10);
  });

  it('100,000 objects of 10 KB on S3 Standard-IA are billed as 128 KB each', () => {
    const usage = { bytes: 100_000 * 10_240, objects: 100_000, smallObjects: 100_000, smallBytes: 100_000 * 10_240 };
    const e = monthlyCost(priceRow('aws-standard-ia'), usage);
    // 100,000 × 128 KiB = 12.207 GiB × $0.0125 = $0.1526, not 0.954 GiB × $0.0125 = $0.0119
    expect(e.total).toBeCloseTo(((100_000 * 131_072) / GIB) * 0.0125, 10);
    expect(cents(e.total)).toBe(0.15);
    expect(e.lines[0]!.label).toContain('billed as 128 KB');
    // The same objects on S3 Standard cost what they weigh.
    expect(monthlyCost(priceRow('aws-standard'), usage).total).toBeCloseTo(((100_000 * 10_240) / GIB) * 0.023, 10);
  });

  it('local disks and self-hosted servers are free unless priced', () => {
    expect(monthlyCost(priceRow('local'), emptyUsage(5e12, 1e6)).total).toBe(0);
    expect(monthlyCost(priceRow('self-hosted'), emptyUsage(5e12, 1e6)).total).toBe(0);
    const [priced] = effectiveTable({ 'self-hosted': { storagePerGbMonth: 0.004 } }, [priceRow('self-hosted')]);
    // Priced by the user in decimal GB, as the app shows sizes.
    expect(monthlyCost(priced!, emptyUsage(100e9, 1)).total).toBeCloseTo(0.4, 10);
  });
});

describe('requests, verification and early deletion', () => {
  it('requests are priced per class with free allowances (R2 class A pools PUT and LIST)', () => {
    const activity = { ...NO_ACTIVITY, putRequests: 1_500_000, listRequests: 500_000, getRequests: 5_000_000 };
    const r2 = monthlyCost(priceRow('r2-standard'), emptyUsage(0, 0), activity);
    // Class A: 2,000,000 − 1,000,000 free = 1,000,000 × $4.50/M; class B within its 10 M.
    expect(r2.total).toBeCloseTo(4.5, 10);
    const s3 = monthlyCost(priceRow('aws-standard'), emptyUsage(0, 0), activity);
    // 2,000,000 × $0.005/1000 + 5,000,000 × $0.0004/1000 = $10 + $2
    expect(s3.total).toBeCloseTo(12, 10);
    const b2 = monthlyCost(priceRow('b2'), emptyUsage(0, 0), activity);
    // PUT free; GET (class B) 5,000,000 − 75,000 at $0.004/10k; LIST (class C) 500,000 − 75,000 at $0.004/1k
    expect(b2.total).toBeCloseTo(4_925 * 0.0004 + 425 * 0.004, 10);
  });

  it('deep verification reads are egress (after free allowances) and retrieval', () => {
    const activity = { ...NO_ACTIVITY, readBytes: 200 * GIB };
    const s3 = monthlyCost(priceRow('aws-standard-ia'), emptyUsage(1000 * GIB, 1000), activity);
    const egress = s3.lines.find((l) => l.kind === 'egress')!;
    const retrieval = s3.lines.find((l) => l.kind === 'retrieval')!;
    expect(egress.amount).toBeCloseTo(100 * 0.09, 10); // 100 GB free
    expect(retrieval.amount).toBeCloseTo(200 * 0.01, 10);
    // B2: free up to 3× stored.
    const b2 = monthlyCost(priceRow('b2'), emptyUsage(100e9, 1000), { ...NO_ACTIVITY, readBytes: 400e9 });
    expect(b2.lines.find((l) => l.kind === 'egress')!.amount).toBeCloseTo(100 * 0.01, 10);
    // Wasabi: free, but more than stored is outside fair use.
    const w = monthlyCost(priceRow('wasabi'), emptyUsage(100 * GIB, 1000), { ...NO_ACTIVITY, readBytes: 150 * GIB });
    expect(w.lines.some((l) => l.kind === 'egress')).toBe(false);
    expect(w.warnings.join(' ')).toMatch(/fair-use/);
  });

  it('retention shorter than the minimum storage duration is charged and warned about', () => {
    // Daily backups keeping 7 daily and 4 weekly: 6 in 7 snapshots live 7 days, the rest 28.
    const lifetimes = versionLifetimes({ keepDaily: 7, keepWeekly: 4 }, 24)!;
    expect(lifetimes.map((l) => [Number(l.share.toFixed(4)), l.days])).toEqual([
      [Number((6 / 7).toFixed(4)), 7],
      [Number((1 / 7).toFixed(4)), 28],
    ]);
    expect(shortestKeepDays(lifetimes)).toBe(7);
    const activity = { ...NO_ACTIVITY, churnBytes: 30 * GIB };
    const ia = monthlyCost(priceRow('aws-standard-ia'), emptyUsage(100 * GIB, 100), activity, lifetimes);
    const early = ia.lines.find((l) => l.kind === 'earlyDeletion')!;
    // 30 GB churn: 6/7 short by 23 days, 1/7 short by 2 days, at $0.0125 per GB-month
    expect(early.amount).toBeCloseTo(30 * 0.0125 * ((6 / 7) * (23 / 30) + (1 / 7) * (2 / 30)), 10);
    expect(ia.warnings[0]).toMatch(/after about 7 days.*at least 30 days/);
    // Keeping everything, or a class without a minimum, has no such charge.
    expect(monthlyCost(priceRow('aws-standard-ia'), emptyUsage(1, 1), activity, null).lines).toHaveLength(1);
    expect(
      monthlyCost(priceRow('aws-standard'), emptyUsage(1, 1), activity, lifetimes).lines.some(
        (l) => l.kind === 'earlyDeletion',
      ),
    ).toBe(false);
  });

  it('lifetimes follow the schedule and every rule', () => {
    expect(versionLifetimes({}, 24)).toBeNull();
    expect(versionLifetimes({ keepLast: 10 }, 1)).toEqual([{ share: 1, days: 10 / 24 }]);
    expect(versionLifetimes({ keepWithin: '30d', keepDaily: 7 }, 24)).toEqual([{ share: 1, days: 30 }]);
    const gfs = versionLifetimes({ keepDaily: 7, keepWeekly: 4, keepMonthly: 12 }, 24)!;
    expect(gfs.reduce((a, l) => a + l.share, 0)).toBeCloseTo(1, 10);
    expect(gfs.map((l) => l.days)).toEqual([7, 28, 360]);
    // Hourly backups keeping 24 hourly: the other snapshots of each day go after a day.
    expect(shortestKeepDays(versionLifetimes({ keepHourly: 24, keepDaily: 30 }, 1))).toBe(1);
  });
});

describe('a 500 GB restore', () => {
  const size = { bytes: 500 * GIB, objects: 50_000 };
  it('from S3 Standard: 400 GB of egress after the free 100 GB, and 50,000 GETs', () => {
    const e = restoreCost(priceRow('aws-standard'), size, 500 * GIB);
    expect(e.lines.find((l) => l.kind === 'egress')!.amount).toBeCloseTo(36, 10);
    // + 50,000 GETs × $0.0004/1000 + 50 LISTs × $0.005/1000
    expect(e.total).toBeCloseTo(36 + 0.02 + 0.00025, 10);
    expect(cents(e.total)).toBe(36.02);
  });

  it('from Backblaze B2: egress free within 3× stored, 47,500 paid class B requests', () => {
    const e = restoreCost(priceRow('b2'), { bytes: 500e9, objects: 50_000 }, 500e9);
    expect(e.lines.some((l) => l.kind === 'egress')).toBe(false);
    // (50,000 − 2,500 free today) × $0.004/10k; the 50 LISTs are within class C's free 75,000
    expect(e.total).toBeCloseTo(47_500 * 0.0000004, 10);
    expect(cents(e.total)).toBe(0.02);
  });

  it('from Cloudflare R2: free (egress is free, requests within the free tier)', () => {
    const e = restoreCost(priceRow('r2-standard'), size, 500 * GIB);
    expect(e.total).toBe(0);
  });

  it('from Standard-IA and Deep Archive: retrieval fees, and a thaw', () => {
    const ia = restoreCost(priceRow('aws-standard-ia'), size, 500 * GIB);
    expect(ia.lines.find((l) => l.kind === 'retrieval')!.amount).toBeCloseTo(5, 10);
    const deep = restoreCost(priceRow('aws-deep-archive'), size, 500 * GIB);
    expect(deep.lines.filter((l) => l.kind === 'retrieval').map((l) => cents(l.amount))).toEqual([10, 5]);
    expect(deep.warnings[0]).toMatch(/thawed first.*12 hours/);
  });
});

describe('labels', () => {
  it('prints unit prices with the decimals they need', () => {
    expect(usd(0.023)).toBe('$0.023');
    expect(usd(0.00099)).toBe('$0.00099');
    expect(usd(6.99)).toBe('$6.99');
    expect(usd(36)).toBe('$36.00');
    expect(usd(0.5)).toBe('$0.50');
    expect(usd(0)).toBe('$0');
  });
});
