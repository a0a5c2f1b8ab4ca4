/**
 * What a destination costs in a month: storage (with minimum object sizes, archive index overhead,
 * free tiers and monthly minimums), requests, egress and retrieval for verification, and early
 * deletion when retention deletes versions younger than the class's minimum storage duration.
 * Pure: the worked examples in tests/unit/cost-estimate.test.ts pin it down.
 */
import type { CostEstimate, CostLine } from '../../../shared/api/cost.js';
import type { LifetimeShare } from './lifetimes.js';
import { SMALL_OBJECT_BYTES, type PriceRow, type RequestPrice } from './price-table.js';
import { countWords, gbWords, unitOf, usd } from './usd.js';

export interface StoredUsage {
  bytes: number;
  objects: number;
  /** Objects under 128 KiB and their bytes (what minimum billable sizes apply to). */
  smallObjects: number;
  smallBytes: number;
}

/** What happens in a month besides storing. */
export interface MonthlyActivity {
  putRequests: number;
  getRequests: number;
  listRequests: number;
  /** Bytes read back (scheduled deep verification): egress, and retrieval on IA classes. */
  readBytes: number;
  /** Bytes of versions replaced each month: what retention later deletes. */
  churnBytes: number;
}

export const NO_ACTIVITY: MonthlyActivity = {
  putRequests: 0,
  getRequests: 0,
  listRequests: 0,
  readBytes: 0,
  churnBytes: 0,
};

const DAYS_PER_MONTH = 30;

export function emptyUsage(bytes = 0, objects = 0): StoredUsage {
  return { bytes, objects, smallObjects: 0, smallBytes: 0 };
}

/** Bytes billed for storage: small objects rounded up to the minimum size. */
export function billableBytes(row: PriceRow, usage: StoredUsage): number {
  if (row.minObjectBytes <= 0) return usage.bytes;
  // Usage counts only the objects under 128 KiB, so a user's minimum above that is applied to those alone.
  const padding = usage.smallObjects * Math.min(row.minObjectBytes, SMALL_OBJECT_BYTES) - usage.smallBytes;
  return usage.bytes + Math.max(0, padding);
}

export function monthlyCost(
  row: PriceRow,
  usage: StoredUsage,
  activity: MonthlyActivity = NO_ACTIVITY,
  lifetimes: LifetimeShare[] | null = null,
): CostEstimate {
  const lines: CostLine[] = [];
  const warnings: string[] = [];
  const price = row.storagePerGbMonth;
  const storedGb = usage.bytes / row.gbBytes;
  const billedGb = billableBytes(row, usage) / row.gbBytes;

  if (price > 0) {
    const padded = billedGb > storedGb + 1e-12 ? ` (small objects billed as ${row.minObjectBytes / 1024} KB)` : '';
    lines.push({
      kind: 'storage',
      label: `Storage: ${gbWords(billedGb, row)} × ${usd(price)}/${unitOf(row)}${padded}`,
      amount: billedGb * price,
    });
  }
  if (row.objectOverhead && usage.objects > 0) {
    const o = row.objectOverhead;
    const amount =
      ((usage.objects * o.classBytes) / row.gbBytes) * price +
      ((usage.objects * o.standardBytes) / row.gbBytes) * o.standardPerGbMonth;
    lines.push({
      kind: 'storage',
      label: `Archive index: ${countWords(usage.objects)} objects × ${(o.classBytes + o.standardBytes) / 1024} KB`,
      amount,
    });
  }
  if (row.freeStorageGb > 0 && price > 0 && billedGb > 0) {
    const freeGb = Math.min(billedGb, row.freeStorageGb);
    lines.push({
      kind: 'freeTier',
      label: `Free tier: first ${row.freeStorageGb} ${unitOf(row)}`,
      amount: -freeGb * price,
    });
  }
  if (row.monthlyMinimumGb > 0 && billedGb < row.monthlyMinimumGb && price > 0) {
    lines.push({
      kind: 'minimum',
      label: `Monthly minimum: billed as ${gbWords(row.monthlyMinimumGb, row)} (${gbWords(row.monthlyMinimumGb - billedGb, row)} more than stored)`,
      amount: (row.monthlyMinimumGb - billedGb) * price,
    });
  }
  if (row.monitoringPer1000Objects > 0) {
    const monitored = Math.max(0, usage.objects - usage.smallObjects);
    if (monitored > 0) {
      lines.push({
        kind: 'requests',
        label: `Monitoring: ${countWords(monitored)} objects × ${usd(row.monitoringPer1000Objects)} per 1,000`,
        amount: (monitored / 1000) * row.monitoringPer1000Objects,
      });
    }
  }

  const requests = requestCost(row, {
    put: activity.putRequests,
    get: activity.getRequests,
    list: activity.listRequests,
  });
  if (requests.count > 0 && requests.amount > 0) {
    lines.push({ kind: 'requests', label: `Requests: ${countWords(requests.count)} a month`, amount: requests.amount });
  }

  if (activity.readBytes > 0) {
    const readGb = activity.readBytes / row.gbBytes;
    const egress = egressCost(row, readGb, storedGb);
    if (egress.amount > 0) {
      lines.push({
        kind: 'egress',
        label: `Verification egress: ${gbWords(egress.billedGb, row)} × ${usd(row.egressPerGb)}/${unitOf(row)}`,
        amount: egress.amount,
      });
    }
    if (egress.fairUse) warnings.push(egress.fairUse);
    if (row.retrievalPerGb > 0) {
      lines.push({
        kind: 'retrieval',
        label: `Verification retrieval: ${gbWords(readGb, row)} × ${usd(row.retrievalPerGb)}/${unitOf(row)}`,
        amount: readGb * row.retrievalPerGb,
      });
    }
    if (row.thawHours !== null) {
      warnings.push(`${row.name} objects cannot be read without a thaw: deep verification cannot run on them`);
    }
  }

  const early = earlyDeletion(row, activity.churnBytes, lifetimes);
  if (early.amount > 0) {
    lines.push({
      kind: 'earlyDeletion',
      label: `Early deletion: versions kept ${early.days} days, billed for ${row.minStorageDays}`,
      amount: early.amount,
    });
    warnings.push(
      `retention deletes replaced versions after about ${early.days} days, but ${row.name} bills every object for at least ${row.minStorageDays} days: about ${usd(early.amount)} a month is paid for deleted data. Keep versions longer or choose a class without a minimum.`,
    );
  }

  const total = lines.reduce((a, l) => a + l.amount, 0);
  return { priceId: row.id, priceName: row.name, total: Math.max(0, total), lines, warnings };
}

/** Requests priced per kind, with each pool's free allowance shared in proportion. */
export function requestCost(
  row: PriceRow,
  counts: { put: number; get: number; list: number },
): { count: number; amount: number } {
  const kinds: [number, RequestPrice][] = [
    [counts.put, row.put],
    [counts.get, row.get],
    [counts.list, row.list],
  ];
  let amount = 0;
  let count = 0;
  for (const pool of ['A', 'B', 'C'] as const) {
    const inPool = kinds.filter(([, p]) => p.pool === pool);
    const n = inPool.reduce((a, [c]) => a + c, 0);
    if (n <= 0) continue;
    count += n;
    const paid = Math.max(0, 1 - (row.freeRequestsPerMonth[pool] ?? 0) / n);
    amount += inPool.reduce((a, [c, p]) => a + (c / 1000) * p.per1000, 0) * paid;
  }
  return { count, amount };
}

/** Egress after the free allowances; a fair-use warning where egress is free only within limits. */
export function egressCost(
  row: PriceRow,
  gb: number,
  storedGb: number,
): { billedGb: number; amount: number; fairUse: string | null } {
  let free = row.egressFreeGbPerMonth;
  if (row.egressFreeStoredMultiple !== null) free += row.egressFreeStoredMultiple * storedGb;
  const billedGb = row.egressPerGb > 0 ? Math.max(0, gb - free) : 0;
  const limit = row.egressFairUseStoredMultiple;
  const fairUse =
    limit !== null && gb > limit * storedGb
      ? `${row.name} egress is free only up to ${limit === 1 ? 'what you store' : `${limit}× what you store`} a month; reading ${gbWords(gb, row)} is outside its fair-use policy`
      : null;
  return { billedGb, amount: billedGb * row.egressPerGb, fairUse };
}

/** Charges for versions deleted before the minimum storage duration, per month. */
export function earlyDeletion(
  row: PriceRow,
  churnBytes: number,
  lifetimes: LifetimeShare[] | null,
): { amount: number; days: number } {
  if (row.minStorageDays <= 0 || !lifetimes || churnBytes <= 0) return { amount: 0, days: 0 };
  const short = lifetimes.filter((l) => l.days < row.minStorageDays);
  if (!short.length) return { amount: 0, days: 0 };
  const churnGb = churnBytes / row.gbBytes;
  const amount = short.reduce(
    (a, l) => a + churnGb * l.share * ((row.minStorageDays - l.days) / DAYS_PER_MONTH) * row.storagePerGbMonth,
    0,
  );
  const days = Math.round(Math.min(...short.map((l) => l.days)) * 10) / 10;
  return { amount, days };
}
