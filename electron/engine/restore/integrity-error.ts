import { StrataError } from '../../../shared/errors.js';

/** A restored file whose bytes are not the backed-up ones (the main thread's restore and its workers alike). */
export function integrityError(path: string): StrataError {
  return new StrataError(
    'integrity',
    `${path}: the stored copy does not match its SHA-256`,
    'the object was changed or damaged on the destination; verify the destination',
  );
}
