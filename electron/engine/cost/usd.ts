/** Money and sizes in estimate labels ("Storage: 103.4 GB × $0.006/GB"), as the CLI prints them. */

/** Dollars with as many decimals as a unit price needs: $0.023, $0.00099, $6.99, $36.00. */
export function usd(amount: number): string {
  const sign = amount < 0 ? '-' : '';
  const a = Math.abs(amount);
  if (a === 0) return '$0';
  if (a >= 1) return `${sign}$${a.toFixed(2)}`;
  const decimals = Math.min(6, Math.max(2, 1 - Math.floor(Math.log10(a)) + 1));
  return `${sign}$${a.toFixed(decimals).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
}

/**
 * The unit a row is priced in: providers all say "GB", but AWS, R2 and Wasabi mean 2^30 bytes,
 * which Strata writes GiB so it is not read against the app's decimal sizes.
 */
export function unitOf(row: { gbBytes: number }): 'GB' | 'GiB' {
  return row.gbBytes === 1024 ** 3 ? 'GiB' : 'GB';
}

/** An amount in the row's unit, one decimal when small. */
export function gbWords(gb: number, row: { gbBytes: number }): string {
  const unit = unitOf(row);
  if (gb >= 100) return `${Math.round(gb).toLocaleString('en-US')} ${unit}`;
  if (gb >= 0.1) return `${gb.toFixed(1)} ${unit}`;
  return `${gb.toFixed(3)} ${unit}`;
}

export function countWords(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
