import { StrataError } from '../../../shared/errors.js';

/** "500K", "10M", "2G", "1T" or plain bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?$/i.exec(text.trim());
  if (!m) throw new StrataError('usage', `'${text}' is not a size`, 'write it like 500K, 10M or 2G');
  const mult: Record<string, number> = { '': 1, B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };
  return Math.round(Number(m[1]) * mult[(m[2] ?? '').charAt(0).toUpperCase()]!);
}

/** A bandwidth limit in bytes a second ("4M", "500K/s"); "0" or "off" is none (null). */
export function parseRate(text: string): number | null {
  const t = text.trim().replace(/\/s$/i, '');
  if (/^(off|0)$/i.test(t)) return null;
  try {
    return parseSize(t);
  } catch {
    throw new StrataError('usage', `'${text}' is not a rate`, 'write it like 500K or 4M (bytes a second), or off');
  }
}

/** "2026-01-31" (start of that day, UTC) or any full ISO-8601 date-time. */
export function parseDate(text: string, flag: string): Date {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : new Date(text);
  if (Number.isNaN(d.getTime())) {
    throw new StrataError(
      'usage',
      `${flag} '${text}' is not a date`,
      'write it like 2026-01-31 or 2026-01-31T14:00:00Z',
    );
  }
  return d;
}

export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new StrataError(
      'usage',
      `${flag} '${value}' is not one of ${allowed.join(', ')}`,
      `pass one of: ${allowed.join(', ')}`,
    );
  }
  return value as T;
}
