/**
 * The save bar's words for what unsaved ticks do to one destination: "+2.3 GB, +$0.01/month on
 * backup-b2", "−120 MB on usb-disk (free)". Pure, so it is tested on its own.
 */
import type { WhatIfResult } from '../../../shared/api/cost.js';
import { formatMoney } from '../cost/money.js';
import { formatBytes, formatCount, plural } from '../format.js';

export type WhatIfRow = WhatIfResult['destinations'][number];

/** Below this a monthly change is said as "<$0.001" (formatMoney's own floor). */
const TINY = 0.001;

/** 2_300_000_000 → "+2.3 GB"; −120_000_000 → "−120 MB" (a real minus sign, as the money has). */
export function signedBytes(bytes: number): string {
  if (bytes === 0) return '0 B';
  return `${bytes < 0 ? '−' : '+'}${formatBytes(Math.abs(bytes))}`;
}

/** 0.0123 → "+$0.01/month"; −0.004 → "−$0.004/month"; 0.00002 → "+<$0.001/month". */
export function signedMonthly(delta: number): string {
  const sign = delta < 0 ? '−' : '+';
  const abs = Math.abs(delta);
  const amount = abs < TINY ? '<$0.001' : formatMoney(abs);
  return `${sign}${amount}/month`;
}

/** The change in bytes and money, without the destination's name. */
export function effectText(row: WhatIfRow): string {
  const size =
    row.bytes === 0 && row.files !== 0
      ? `${row.files > 0 ? '+' : '−'}${plural(Math.abs(row.files), 'file')}`
      : signedBytes(row.bytes);
  if (row.files === 0 && row.bytes === 0) return 'no files change';
  if (row.before === 0 && row.after === 0) return `${size} (free)`;
  const delta = row.after - row.before;
  if (delta === 0) return `${size}, cost unchanged`;
  return `${size}, ${signedMonthly(delta)}`;
}

/** The full story for a tooltip: files, bytes and the estimate before and after. */
export function effectDetail(row: WhatIfRow): string {
  const files = `${row.files < 0 ? '−' : '+'}${formatCount(Math.abs(row.files))} ${Math.abs(row.files) === 1 ? 'file' : 'files'}`;
  const estimate =
    row.before === 0 && row.after === 0
      ? 'no charge'
      : `${formatMoney(row.before)} → ${formatMoney(row.after)} a month`;
  return `${row.destination} (${row.priceName}): ${files}, ${signedBytes(row.bytes)}; ${estimate}`;
}
