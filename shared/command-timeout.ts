import { StrataError } from './errors.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const PART = /(\d+)\s*([smhd])/gy;

/** The longest a command may be given: a dump that runs longer than a week is hung. */
export const MAX_COMMAND_TIMEOUT_MS = 7 * UNIT_MS.d;

/** A hook's time limit unless it says otherwise (CLI, app and engine). */
export const DEFAULT_HOOK_TIMEOUT_MS = 15 * UNIT_MS.m;

/**
 * A command's time limit as people write it: "90s", "45m", "2h", "1h30m", "1d". Returns
 * milliseconds; anything else is a usage error that shows the accepted forms.
 */
export function parseTimeout(text: string): number {
  const t = text.trim().toLowerCase();
  let ms = 0;
  let at = 0;
  PART.lastIndex = 0;
  for (let m = PART.exec(t); m; m = PART.exec(t)) {
    ms += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    at = PART.lastIndex;
    while (t[at] === ' ') at++;
    PART.lastIndex = at;
  }
  if (t === '' || at !== t.length || ms <= 0) {
    throw new StrataError(
      'usage',
      `invalid time limit '${text}'`,
      'give a number with a unit: 90s, 45m, 2h, 1h30m or 1d',
    );
  }
  if (ms > MAX_COMMAND_TIMEOUT_MS) {
    throw new StrataError('usage', `time limit '${text}' is longer than 7 days`, 'give 7d or less');
  }
  return ms;
}

/** "2h", "1h30m", "45s": the shortest way to write a limit parseTimeout reads back. */
export function formatTimeout(ms: number): string {
  if (ms < 1000) return `${ms}ms`; // only tests give less than a second
  let rest = Math.round(ms / 1000);
  const out: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      out.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return out.join('') || '0s';
}
