/**
 * Errors the user can act on. `message` says what went wrong, `hint` says what to do;
 * both are safe to print (never carry secrets).
 */
export type ErrorCode =
  | 'usage'
  | 'not-found'
  | 'config'
  | 'auth'
  | 'bucket-missing'
  | 'region'
  | 'clock-skew'
  | 'permission'
  | 'network'
  | 'corrupt'
  | 'tampered'
  | 'unsafe-path'
  | 'format-too-new'
  | 'changed-while-reading'
  | 'io'
  | 'disk-full'
  | 'passphrase'
  | 'integrity'
  | 'busy'
  | 'quota'
  | 'too-large'
  /** A user's command (a dump, a hook) exited non-zero or wrote to stderr marked fatal. */
  | 'command-failed'
  /** A user's command ran past its time limit. */
  | 'timeout'
  | 'cancelled'
  | 'internal';

export class StrataError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StrataError';
    this.code = code;
    this.hint = hint;
  }

  /** One line: what went wrong, then what to do. */
  oneLine(): string {
    return this.hint ? `${this.message}; ${this.hint}` : this.message;
  }
}

export function isStrataError(err: unknown): err is StrataError {
  return err instanceof StrataError;
}

/** Plain-words text for any error; node's fs codes become sentences a person can act on. */
export function describeError(err: unknown): string {
  if (err instanceof StrataError) return err.oneLine();
  const e = err as { code?: string; path?: unknown; message?: string } | undefined;
  const where = e?.path ? ` (${String(e.path)})` : '';
  switch (e?.code) {
    case 'EACCES':
    case 'EPERM':
      return `permission denied${where}: give Strata read access or exclude the path`;
    case 'ENOENT':
      return `no such file or folder${where}`;
    case 'ENOSPC':
      return `disk full${where}: free space on the destination disk and run again`;
    case 'EDQUOT':
      return `disk quota exceeded${where}: raise the quota or free space and run again`;
    case 'EROFS':
      return `read-only file system${where}: choose a writable destination folder`;
    case 'ENAMETOOLONG':
      return `name too long for this file system${where}`;
    case 'EIO':
      return `input/output error${where}: the disk may be failing`;
    default:
      return e?.message ?? String(err);
  }
}
