/**
 * Numbers in words for people. Sizes use base 1000 (1 GB = 1,000,000,000 bytes), like disk and
 * cloud vendors' price tables, everywhere in the app (bandwidth in MB/s too).
 */

export { formatBytes } from '../../shared/format-bytes.js';
import { formatBytes } from '../../shared/format-bytes.js';

export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

const nf = new Intl.NumberFormat('en-US');

/** 12345 → "12,345". */
export function formatCount(n: number): string {
  return nf.format(n);
}

/** "1 file" / "2 files". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** Seconds → "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** Time left: "about 3 min left"; undefined → "estimating…". */
export function formatEta(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return 'estimating…';
  if (seconds < 1) return 'almost done';
  return `about ${formatDuration(seconds)} left`;
}

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** Epoch ms → "just now", "5 minutes ago", "yesterday", "3 days ago", "in 2 hours". */
export function formatRelative(ms: number, now: number = Date.now()): string {
  const diff = (ms - now) / 1000;
  const abs = Math.abs(diff);
  if (abs < 45) return 'just now';
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
  if (abs < 86400 * 30) return rtf.format(Math.round(diff / 86400), 'day');
  if (abs < 86400 * 365) return rtf.format(Math.round(diff / (86400 * 30)), 'month');
  return rtf.format(Math.round(diff / (86400 * 365)), 'year');
}

const dtf = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Epoch ms → local date and time, e.g. "12 Mar 2025, 14:05". */
export function formatDateTime(ms: number): string {
  return dtf.format(new Date(ms));
}

/** Bytes per second → MB/s text for an input ('' for unlimited). */
export function bytesPerSecondToMB(bytes: number | null): string {
  if (bytes === null) return '';
  return String(Math.round((bytes / 1_000_000) * 1000) / 1000);
}

/** MB/s text → bytes per second; '' → null (unlimited); NaN when it is not a number. */
export function mbToBytesPerSecond(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (t === '') return null;
  const n = Number(t);
  if (!Number.isFinite(n) || n <= 0) return NaN;
  return Math.round(n * 1_000_000);
}

/** Percent (0-100) of done over total, or undefined when total is unknown. */
export function percent(done: number, total: number): number {
  if (total <= 0) return 100;
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}

/** "no successful backup" → "No successful backup" (host messages start in lower case). */
export function sentence(text: string): string {
  return text ? text[0]!.toUpperCase() + text.slice(1) : text;
}

/** The zone if Intl knows it, else undefined (the browser's own). */
function knownZone(timeZone: string | undefined): string | undefined {
  if (!timeZone) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return undefined;
  }
}

/**
 * A coming run in 24-hour time, like the schedule's own words: "today 02:30", "tomorrow 02:30",
 * "Thu 15 May 02:30" (with the year when it is not this year). In `timeZone` when given (the
 * host's, which the schedule follows), else the browser's.
 */
export function formatRunTime(ms: number, timeZone?: string, now: number = Date.now()): string {
  const zone = knownZone(timeZone);
  const dayKey = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const day = dayKey.format(ms);
  const clock = time.format(ms);
  if (day === dayKey.format(now)) return `today ${clock}`;
  if (day === dayKey.format(now + 86_400_000)) return `tomorrow ${clock}`;
  const sameYear = day.slice(0, 4) === dayKey.format(now).slice(0, 4);
  const date = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(ms);
  return `${date.replace(',', '')} ${clock}`;
}

/** Bytes per week → "+1.2 GB a week", "−300 MB a week", "No growth". */
export function formatGrowth(bytesPerWeek: number): string {
  if (Math.round(bytesPerWeek) === 0) return 'No growth';
  const sign = bytesPerWeek > 0 ? '+' : '−';
  return `${sign}${formatBytes(Math.abs(bytesPerWeek))} a week`;
}
