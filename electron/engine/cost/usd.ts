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

/** An amount in the provider's own GB (binary or decimal), one decimal when small. */
export function gbWords(gb: number): string {
  if (gb >= 100) return `${Math.round(gb).toLocaleString('en-US')} GB`;
  if (gb >= 0.1) return `${gb.toFixed(1)} GB`;
  return `${gb.toFixed(3)} GB`;
}

export function countWords(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
