/** Human-readable figures for terminal output; sizes in base 1000 like the app's windows. */
export { formatBytes } from '../../../shared/format-bytes.js';

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function formatTime(t: number | Date | null | undefined): string {
  if (t === null || t === undefined) return 'never';
  const d = typeof t === 'number' ? new Date(t) : t;
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** Left-aligned columns; the last column is not padded. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** Whole cents, or three decimals under a cent so small amounts do not read as free. */
export function money(usd: number): string {
  if (usd === 0) return '$0.00';
  if (Math.abs(usd) < 0.001) return `${usd < 0 ? '-' : ''}<$0.001`;
  if (Math.abs(usd) < 0.01) return `${usd < 0 ? '-' : ''}$${Math.abs(usd).toFixed(3)}`;
  return `${usd < 0 ? '-' : ''}$${Math.abs(usd).toFixed(2)}`;
}
