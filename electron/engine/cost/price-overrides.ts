/**
 * The user's prices laid over the dated table: an override replaces one figure of one row, and
 * Settings shows both so a user can always go back to the table's figure.
 */
import { PRICE_FIELDS, type PriceField, type PriceRowInfo } from '../../../shared/api/cost.js';
import { StrataError } from '../../../shared/errors.js';
import type { PriceOverrides } from '../store/price-override-store.js';
import { PRICE_TABLE, type PriceRow } from './price-table.js';
import { unitOf } from './usd.js';

/** One overridable figure as the API names it. */
export function fieldValue(row: PriceRow, field: PriceField): number {
  switch (field) {
    case 'putPer1000':
      return row.put.per1000;
    case 'getPer1000':
      return row.get.per1000;
    case 'listPer1000':
      return row.list.per1000;
    case 'minObjectKb':
      return row.minObjectBytes / 1024;
    default:
      return row[field];
  }
}

function withField(row: PriceRow, field: PriceField, value: number): PriceRow {
  switch (field) {
    case 'putPer1000':
      return { ...row, put: { ...row.put, per1000: value } };
    case 'getPer1000':
      return { ...row, get: { ...row.get, per1000: value } };
    case 'listPer1000':
      return { ...row, list: { ...row.list, per1000: value } };
    case 'minObjectKb':
      return { ...row, minObjectBytes: value * 1024 };
    default:
      return { ...row, [field]: value };
  }
}

/** The table with the user's figures in place of the table's. */
export function effectiveTable(overrides: PriceOverrides, table: readonly PriceRow[] = PRICE_TABLE): PriceRow[] {
  return table.map((row) => {
    let out = row;
    for (const [field, value] of Object.entries(overrides[row.id] ?? {})) {
      if ((PRICE_FIELDS as readonly string[]).includes(field) && typeof value === 'number' && value >= 0) {
        out = withField(out, field as PriceField, value);
      }
    }
    return out;
  });
}

export function rowInfo(row: PriceRow, overrides: PriceOverrides): PriceRowInfo {
  const base = PRICE_TABLE.find((r) => r.id === row.id) ?? row;
  const effective = effectiveTable(overrides, [base])[0]!;
  const values = {} as Record<PriceField, number>;
  const defaults = {} as Record<PriceField, number>;
  for (const f of PRICE_FIELDS) {
    values[f] = fieldValue(effective, f);
    defaults[f] = fieldValue(base, f);
  }
  return {
    id: base.id,
    provider: base.provider,
    name: base.name,
    storageClass: base.storageClass,
    gbUnit: unitOf(base),
    values,
    defaults,
    overridden: PRICE_FIELDS.filter((f) => overrides[base.id]?.[f] !== undefined),
    source: base.source,
    asOf: base.asOf,
    notes: base.notes,
  };
}

export function assertPriceRow(id: string): void {
  if (!PRICE_TABLE.some((r) => r.id === id)) {
    throw new StrataError(
      'usage',
      `no price row '${id}'`,
      `use one of: ${PRICE_TABLE.map((r) => r.id).join(', ')} (strata cost prices lists them)`,
    );
  }
}
