import { errorBody, type DriveErrorBody } from './errors.js';

/**
 * Scheduled misbehaviour: Drive's quota and backend errors with the bodies Drive sends, or a cut
 * connection. Faults are checked before authentication, as Google's front end throttles first.
 */

export type RateLimitReason = 'userRateLimitExceeded' | 'rateLimitExceeded' | 'dailyLimitExceeded';

interface FaultMatch {
  /** How many matching requests get the fault. Default 1. */
  times?: number;
  /**
   * Which requests: a pathname ('/drive/v3/files' also covers '/drive/v3/files/<id>…') or a RegExp
   * tested against the pathname. Default: every Drive API request (not the OAuth endpoints).
   */
  path?: string | RegExp;
  method?: string;
  /** Adds a Retry-After header (seconds). Drive itself rarely sends one. */
  retryAfterSeconds?: number;
}

export type FaultSpec = FaultMatch &
  (
    | { status: 403; reason: RateLimitReason }
    | { status: 429 }
    | { status: 500 | 502 | 503 | 504 }
    /** The socket is destroyed before any answer: ECONNRESET on the client. */
    | { status: 'reset' }
  );

const RATE_LIMIT_MESSAGES: Record<RateLimitReason, string> = {
  userRateLimitExceeded: 'User Rate Limit Exceeded',
  rateLimitExceeded: 'Rate Limit Exceeded',
  dailyLimitExceeded: 'Daily Limit Exceeded',
};

/** The body Drive documents for each fault (developers.google.com/drive/api/guides/handle-errors). */
export function faultBody(spec: FaultSpec): DriveErrorBody | undefined {
  switch (spec.status) {
    case 403:
      return errorBody(403, { domain: 'usageLimits', reason: spec.reason, message: RATE_LIMIT_MESSAGES[spec.reason] });
    case 429:
      return errorBody(429, { domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' });
    case 503:
      return errorBody(
        503,
        { reason: 'backendError', message: 'The service is currently unavailable.' },
        { status: 'UNAVAILABLE' },
      );
    case 500:
    case 502:
    case 504:
      return errorBody(spec.status, { reason: 'backendError', message: 'Backend Error' });
    case 'reset':
      return undefined;
  }
}

interface Armed {
  spec: FaultSpec;
  left: number;
}

export class FaultQueue {
  private readonly armed: Armed[] = [];

  add(spec: FaultSpec): void {
    const times = spec.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`fault times must be a positive integer, got ${times}`);
    this.armed.push({ spec, left: times });
  }

  clear(): void {
    this.armed.length = 0;
  }

  /** Faults not yet used up, counting each remaining repetition. */
  pending(): number {
    return this.armed.reduce((n, a) => n + a.left, 0);
  }

  /** The first armed fault matching this request, used up by one. */
  take(method: string, pathname: string): FaultSpec | undefined {
    const index = this.armed.findIndex((a) => matchesRequest(a.spec, method, pathname));
    if (index < 0) return undefined;
    const armed = this.armed[index]!;
    armed.left -= 1;
    if (armed.left === 0) this.armed.splice(index, 1);
    return armed.spec;
  }
}

function matchesRequest(spec: FaultSpec, method: string, pathname: string): boolean {
  if (spec.method !== undefined && spec.method.toUpperCase() !== method) return false;
  const path = spec.path;
  if (path === undefined) return pathname.startsWith('/drive/v3/');
  if (path instanceof RegExp) return path.test(pathname);
  return pathname === path || pathname.startsWith(path.endsWith('/') ? path : `${path}/`);
}
