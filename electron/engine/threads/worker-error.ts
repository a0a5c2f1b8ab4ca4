/**
 * An error as it crosses from a worker thread to the main thread: a structured clone keeps only a
 * plain object, so a StrataError's code and hint, or a system error's code (ENOSPC...), travel
 * spelt out and are rebuilt on the other side as the error the main thread would have met itself.
 */
import { StrataError, type ErrorCode } from '../../../shared/errors.js';

export interface WorkerError {
  name: string;
  message: string;
  strata?: ErrorCode;
  hint?: string | undefined;
  /** A system error's code (ENOSPC...). */
  code?: string | undefined;
}

export function toWorkerError(err: unknown): WorkerError {
  const e = (err ?? {}) as { name?: string; message?: string; code?: string; hint?: string };
  return {
    name: e.name ?? 'Error',
    message: e.message ?? String(err),
    ...(err instanceof StrataError ? { strata: err.code, hint: err.hint } : { code: e.code }),
  };
}

export function errorFrom(e: WorkerError): Error {
  if (e.strata) return new StrataError(e.strata, e.message, e.hint);
  return Object.assign(new Error(e.message), { name: e.name, ...(e.code ? { code: e.code } : {}) });
}
