/**
 * Every price row costed for one selection, for the destination editor: "B2 $0.60, R2 $1.50,
 * S3 Standard $2.30, Deep Archive $0.10 + restore fees". Pure over the usage it is given.
 */
import type { CostComparison } from '../../../shared/api/cost.js';
import { monthlyCost, NO_ACTIVITY, type MonthlyActivity, type StoredUsage } from './monthly-cost.js';
import type { LifetimeShare } from './lifetimes.js';
import type { PriceRow } from './price-table.js';
import { restoreCost } from './restore-cost.js';
import { gbWords } from './usd.js';

export function compareRows(
  table: readonly PriceRow[],
  basis: StoredUsage & { label: string },
  opts: { currentId?: string | undefined; activity?: MonthlyActivity; lifetimes?: LifetimeShare[] | null } = {},
): CostComparison {
  const rows = table.map((row) => {
    const monthly = monthlyCost(row, basis, opts.activity ?? NO_ACTIVITY, opts.lifetimes ?? null);
    const restore = restoreCost(row, { bytes: basis.bytes, objects: basis.objects }, basis.bytes);
    const notes: string[] = [];
    if (row.thawHours !== null)
      notes.push(`+ restore fees; objects thaw for up to ${row.thawHours} h before a restore`);
    if (monthly.lines.some((l) => l.kind === 'minimum'))
      notes.push(`billed for at least ${gbWords(row.monthlyMinimumGb, row)}`);
    if (row.minStorageDays > 0) notes.push(`minimum ${row.minStorageDays} days per object`);
    if (row.minObjectBytes > 0)
      notes.push(`objects under ${row.minObjectBytes / 1024} KB billed as ${row.minObjectBytes / 1024} KB`);
    notes.push(...monthly.warnings.filter((w) => !/thaw/.test(w)));
    return {
      priceId: row.id,
      provider: row.provider,
      name: row.name,
      monthly: monthly.total,
      restore: restore.total,
      notes,
      current: row.id === opts.currentId,
    };
  });
  rows.sort((a, b) => a.monthly - b.monthly || a.restore - b.restore || a.name.localeCompare(b.name));
  return { basis: { bytes: basis.bytes, objects: basis.objects, label: basis.label }, rows };
}
