/**
 * What a failed Drive call means for a backup: retry later (rate limits, Google's hiccups), stop
 * reading today (daily quota), sign in again, or a per-file problem. gaxios leaves Drive's reason
 * in different places depending on the response type, so every place is looked at.
 */
import { StrataError } from '../../../../shared/errors.js';

interface GaxiosLike {
  status?: number;
  code?: string | number;
  message?: string;
  response?: { status?: number; data?: unknown };
  cause?: { errors?: { reason?: string }[] };
}

export interface DriveFailure {
  status: number | undefined;
  reason: string | undefined;
  message: string;
}

export function driveFailure(err: unknown): DriveFailure {
  const e = (err ?? {}) as GaxiosLike;
  const status = e.status ?? e.response?.status ?? (typeof e.code === 'number' ? e.code : undefined);
  let reason = e.cause?.errors?.[0]?.reason;
  const data = e.response?.data as
    { error?: { errors?: { reason?: string }[]; message?: string } | string } | undefined;
  if (!reason && data && typeof data.error === 'object') reason = data.error.errors?.[0]?.reason;
  if (!reason && typeof data?.error === 'string') reason = data.error; // OAuth: invalid_grant
  let message = e.message ?? String(err);
  if (!reason && message.startsWith('{')) {
    // A streamed response: gaxios puts the body's JSON text in the message.
    try {
      const body = JSON.parse(message) as { error?: { errors?: { reason?: string }[]; message?: string } };
      reason = body.error?.errors?.[0]?.reason;
      message = body.error?.message ?? message;
    } catch {
      // Not JSON after all: keep the message as it is.
    }
  }
  return { status, reason, message };
}

const RATE_LIMIT_REASONS = new Set(['userRateLimitExceeded', 'rateLimitExceeded']);
const QUOTA_REASONS = new Set(['dailyLimitExceeded', 'quotaExceeded', 'downloadQuotaExceeded']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/** Worth trying again after a pause: rate limits, 5xx, a cut connection. */
export function isTransient(err: unknown): boolean {
  const f = driveFailure(err);
  if (f.status === 429) return true;
  if (f.status === 403 && f.reason !== undefined && RATE_LIMIT_REASONS.has(f.reason)) return true;
  if (f.status !== undefined && f.status >= 500) return true;
  const code = (err as { code?: unknown }).code;
  return f.status === undefined && typeof code === 'string' && NETWORK_CODES.has(code);
}

export function isQuotaExhausted(err: unknown): boolean {
  const f = driveFailure(err);
  return f.status === 403 && f.reason !== undefined && QUOTA_REASONS.has(f.reason);
}

export function quotaError(): StrataError {
  return new StrataError(
    'quota',
    "Google Drive's daily quota for this account is used up",
    'the files not read yet are backed up by the next run (Google resets the quota daily)',
  );
}

/** A 400 on changes.list: the stored page token is no longer usable (too old, or another account's). */
export function isInvalidPageToken(err: unknown): boolean {
  const f = driveFailure(err);
  return f.status === 400 || f.status === 404 || f.status === 410;
}

export function isSignInLost(err: unknown): boolean {
  const f = driveFailure(err);
  return f.status === 401 || f.reason === 'invalid_grant' || /invalid_grant|No refresh token/i.test(f.message);
}

export function signInLost(sourceName: string): StrataError {
  return new StrataError(
    'auth',
    `Google no longer accepts Strata's sign-in for source '${sourceName}' (access revoked, or the sign-in expired)`,
    `sign in again: Sources → Reconnect, or 'strata source connect ${sourceName}'`,
  );
}

/** Plain words for a Drive failure on one item (never includes tokens: Drive's messages carry none). */
export function itemError(path: string, err: unknown, sourceName: string): StrataError {
  if (err instanceof StrataError) return err;
  if (isSignInLost(err)) return signInLost(sourceName);
  if (isQuotaExhausted(err)) return quotaError();
  const f = driveFailure(err);
  if (f.reason === 'exportSizeLimitExceeded') {
    return new StrataError(
      'too-large',
      `${path} is too large for Google to export (Drive exports at most 10 MB of a Doc, Sheet or Slides file)`,
      "choose pdf for this kind of file ('strata source set NAME --export …'), split the file, or save it by hand with File → Download in Google Docs and exclude it",
      { cause: err },
    );
  }
  if (f.status === 404) {
    return new StrataError(
      'not-found',
      `${path} was deleted from Drive before it could be read`,
      'nothing to do: the next run records the deletion',
      { cause: err },
    );
  }
  if (f.reason === 'cannotDownloadAbusiveFile') {
    return new StrataError(
      'permission',
      `${path}: Google flagged this file as malware or spam and refuses to download it`,
      'download it by hand from drive.google.com if you trust it',
      { cause: err },
    );
  }
  if (f.status === 403) {
    return new StrataError(
      'permission',
      `${path} cannot be read: ${f.message}`,
      'check that this account may download the file (the owner can forbid downloads), or exclude it',
      { cause: err },
    );
  }
  return new StrataError('io', `${path} cannot be read from Google Drive: ${f.message}`, undefined, { cause: err });
}
