import type { RunStatus } from '../../engine/store/run-store.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_PARTIAL = 3;
/** `strata status`: everything ran, but an alert is open. */
export const EXIT_ALERT = 4;

export function exitCodeOf(status: RunStatus): number {
  return status === 'ok' ? EXIT_OK : status === 'partial' ? EXIT_PARTIAL : EXIT_FAILED;
}
