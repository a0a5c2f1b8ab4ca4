import type { ServiceOptions } from '../engine/service.js';

/**
 * STRATA_CATCHUP_DELAY_MS shortens the pause before a catch-up run (tests, or a server that
 * should not wait a minute after boot).
 */
export function scheduleOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<ServiceOptions> {
  const delay = Number(env.STRATA_CATCHUP_DELAY_MS);
  return Number.isFinite(delay) &&
    delay >= 0 &&
    env.STRATA_CATCHUP_DELAY_MS !== '' &&
    env.STRATA_CATCHUP_DELAY_MS !== undefined
    ? { catchUpDelayMs: delay }
    : {};
}
