/**
 * What restoring a selection once costs: egress after free allowances, the read requests,
 * retrieval fees of infrequent and archive classes, and (archive) the thaw. Pure.
 */
import type { CostEstimate, CostLine } from '../../../shared/api/cost.js';
import { egressCost, requestCost } from './monthly-cost.js';
import type { PriceRow } from './price-table.js';
import { countWords, gbWords, unitOf, usd } from './usd.js';

export interface RestoreSize {
  /** Bytes downloaded from the destination. */
  bytes: number;
  /** Objects read (one GET each). */
  objects: number;
}

/**
 * Assumes no other egress this month, so the whole free allowance (AWS's 100 GB, B2's 3× stored)
 * is the restore's; `storedBytes` is what the destination holds.
 */
export function restoreCost(row: PriceRow, size: RestoreSize, storedBytes: number): CostEstimate {
  const lines: CostLine[] = [];
  const warnings: string[] = [];
  const gb = size.bytes / row.gbBytes;
  const egress = egressCost(row, gb, storedBytes / row.gbBytes);
  if (egress.amount > 0) {
    const free = gb - egress.billedGb;
    lines.push({
      kind: 'egress',
      label: `Egress: ${gbWords(egress.billedGb, row)} × ${usd(row.egressPerGb)}/${unitOf(row)}${free > 0 ? ` (${gbWords(free, row)} free)` : ''}`,
      amount: egress.amount,
    });
  }
  if (egress.fairUse) warnings.push(egress.fairUse);
  // A day's free class B allowance is what a restore started today can count on.
  const dailyFree = row.provider === 'b2' ? 2500 : undefined;
  const reqRow =
    dailyFree === undefined ? row : { ...row, freeRequestsPerMonth: { ...row.freeRequestsPerMonth, B: dailyFree } };
  const requests = requestCost(reqRow, { put: 0, get: size.objects, list: Math.ceil(size.objects / 1000) });
  if (requests.amount > 0) {
    lines.push({ kind: 'requests', label: `Requests: ${countWords(requests.count)}`, amount: requests.amount });
  }
  if (row.retrievalPerGb > 0 && gb > 0) {
    lines.push({
      kind: 'retrieval',
      label: `Retrieval: ${gbWords(gb, row)} × ${usd(row.retrievalPerGb)}/${unitOf(row)}`,
      amount: gb * row.retrievalPerGb,
    });
  }
  if (row.thawPer1000 > 0 && size.objects > 0) {
    lines.push({
      kind: 'retrieval',
      label: `Thaw requests: ${countWords(size.objects)} × ${usd(row.thawPer1000)} per 1,000`,
      amount: (size.objects / 1000) * row.thawPer1000,
    });
  }
  if (row.thawHours !== null) {
    warnings.push(`${row.name}: every object must be thawed first, which takes up to ${row.thawHours} hours`);
  }
  const total = lines.reduce((a, l) => a + l.amount, 0);
  return { priceId: row.id, priceName: row.name, total, lines, warnings };
}
