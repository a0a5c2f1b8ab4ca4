/**
 * US dollar amounts for people. Pure (no React), shared by every cost display in the renderer.
 *
 * - formatMoney: cents for ordinary amounts ("$1.23", "$1,234.50"), exactly "$0.00" for zero,
 *   one tenth of a cent for small ones ("$0.004") so a tiny bucket is not shown as free, and
 *   "< $0.001" below that. Negative amounts (free-tier credits) read "−$0.50".
 * - formatMonthly: a monthly estimate, "$1.23/month", or "Free" when it is exactly zero.
 * - formatUnitPrice: a price-table figure, with as many decimals as it needs ("$0.00099").
 */

const cents = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Below this an amount is shown as "< $0.001" rather than rounded to zero. */
const TINY = 0.001;

export function formatMoney(usd: number): string {
  if (!Number.isFinite(usd)) return '–';
  if (usd === 0) return '$0.00';
  const sign = usd < 0 ? '−' : '';
  const abs = Math.abs(usd);
  if (abs < TINY) return usd < 0 ? '> −$0.001' : '< $0.001';
  // Half a cent and up rounds to a cent; below that, a tenth of a cent tells tiny from nothing.
  if (abs < 0.005) return `${sign}$${abs.toFixed(3)}`;
  return `${sign}$${cents.format(abs)}`;
}

/** "$1.23/month", "Free" for exactly zero (local disks, self-hosted stores without prices). */
export function formatMonthly(usd: number): string {
  if (usd === 0) return 'Free';
  return `${formatMoney(usd)}/month`;
}

/** A price per unit as the provider writes it: "$0.023", "$0.00099", "$0" (up to 6 decimals). */
export function formatUnitPrice(usd: number): string {
  if (!Number.isFinite(usd)) return '–';
  if (usd === 0) return '$0';
  const text = Math.abs(usd).toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  if (text === '0') return usd < 0 ? '> −$0.000001' : '< $0.000001';
  return usd < 0 ? `−$${text}` : `$${text}`;
}
