/**
 * The price table's fields as Settings shows them: words, units, how to read what a person
 * typed, and the providers' display names. Pure.
 */
import type { PriceField, PriceProvider } from '../../../shared/api/cost.js';
import { formatCount } from '../format.js';
import { formatUnitPrice } from './money.js';

export interface PriceFieldMeta {
  field: PriceField;
  label: string;
  /** After the input: "$ per GB-month", "days". */
  unit: string;
  money: boolean;
}

export const PRICE_FIELD_META: readonly PriceFieldMeta[] = [
  { field: 'storagePerGbMonth', label: 'Storage', unit: '$ per GB-month', money: true },
  { field: 'egressPerGb', label: 'Egress (downloads)', unit: '$ per GB', money: true },
  { field: 'retrievalPerGb', label: 'Retrieval', unit: '$ per GB', money: true },
  { field: 'putPer1000', label: 'PUT requests', unit: '$ per 1,000', money: true },
  { field: 'getPer1000', label: 'GET requests', unit: '$ per 1,000', money: true },
  { field: 'listPer1000', label: 'LIST requests', unit: '$ per 1,000', money: true },
  { field: 'minStorageDays', label: 'Minimum storage time', unit: 'days', money: false },
  { field: 'minObjectKb', label: 'Minimum object size', unit: 'KB', money: false },
  { field: 'monthlyMinimumGb', label: 'Monthly minimum', unit: 'GB billed', money: false },
  { field: 'freeStorageGb', label: 'Free storage', unit: 'GB', money: false },
];

export function fieldMeta(field: PriceField): PriceFieldMeta {
  return PRICE_FIELD_META.find((m) => m.field === field)!;
}

/** A figure as the table would print it: "$0.023", "30 days". */
export function formatPriceValue(field: PriceField, value: number): string {
  const meta = fieldMeta(field);
  return meta.money ? formatUnitPrice(value) : `${formatCount(value)} ${meta.unit}`;
}

export const PROVIDER_NAMES: Record<PriceProvider, string> = {
  aws: 'Amazon S3',
  r2: 'Cloudflare R2',
  b2: 'Backblaze B2',
  wasabi: 'Wasabi',
  local: 'Local disk',
  'self-hosted': 'Self-hosted S3',
};

/** The same cap the host's schema has. */
const MAX = 1e9;

/** What a person typed → a number the host accepts, or the problem in words. Accepts "0,02" and a leading "$". */
export function parsePrice(text: string): { value: number } | { problem: string } {
  const t = text.trim().replace(/^\$/, '').replace(',', '.').trim();
  if (t === '') return { problem: 'Give a number (0 for free), or Reset to use the table’s figure' };
  const n = Number(t);
  if (!Number.isFinite(n)) return { problem: 'Give a number, like 0.023' };
  if (n < 0) return { problem: 'Give 0 or more: prices cannot be negative' };
  if (n > MAX) return { problem: 'That is more than any provider charges; give a smaller number' };
  return { value: n };
}
