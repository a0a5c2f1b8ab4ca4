/**
 * The framing shared by the ways a vault object is opened (BlobCodec.decode, and blob-open-async.ts
 * for a restore's data blobs), so both bind, check and word their errors alike.
 */
import { createDecipheriv, createHash } from 'node:crypto';
import { StrataError } from '../../../shared/errors.js';
import type { BlobKind } from './codec.js';
import type { RepoKeys } from './repo-key.js';

export const BLOB_FORMAT_VERSION = 1;

export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const CHECK_BYTES = 16;

export function bindingOf(kind: BlobKind, context: string): Buffer {
  return Buffer.from(`strata-vault-v${BLOB_FORMAT_VERSION}|${kind}|${context}`, 'utf8');
}

export function plainCheck(binding: Buffer, alg: number, payload: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(binding.length);
  return createHash('sha256')
    .update(length)
    .update(binding)
    .update(Buffer.of(BLOB_FORMAT_VERSION, alg))
    .update(payload)
    .digest()
    .subarray(0, CHECK_BYTES);
}

/**
 * Decrypting in pieces this size into a reused buffer (`into`): each piece's own output stays small
 * enough for the allocator to recycle, where one update per blob faulted in a fresh buffer each time.
 */
const DECRYPT_PIECE = 64 * 1024;

/**
 * Returns `alg | payload` once the tag verifies: a new buffer, or one from `into(length)` (a pool),
 * which holds unauthenticated bytes only until this returns or throws.
 */
export function openSealed(
  stored: Buffer,
  keys: RepoKeys,
  binding: Buffer,
  what: string,
  into?: (length: number) => Buffer,
): Buffer {
  checkVersion(stored, 1 + NONCE_BYTES + 1 + TAG_BYTES, what);
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.encryptionKey, stored.subarray(1, 1 + NONCE_BYTES));
    decipher.setAAD(binding);
    decipher.setAuthTag(stored.subarray(stored.length - TAG_BYTES));
    const sealed = stored.subarray(1 + NONCE_BYTES, stored.length - TAG_BYTES);
    if (into) {
      const out = into(sealed.length);
      let at = 0;
      for (let from = 0; from < sealed.length; from += DECRYPT_PIECE) {
        at += decipher.update(sealed.subarray(from, from + DECRYPT_PIECE)).copy(out, at);
      }
      at += decipher.final().copy(out, at); // checks the tag
      return at === out.length ? out : out.subarray(0, at);
    }
    const body = decipher.update(sealed);
    const rest = decipher.final(); // checks the tag; GCM has nothing left over, so no copy of the body
    return rest.length === 0 ? body : Buffer.concat([body, rest]);
  } catch {
    throw damaged(what, 'authentication failed');
  }
}

/** Returns `alg | payload` of an unencrypted object once its check matches. */
export function openPlain(stored: Buffer, binding: Buffer, what: string): Buffer {
  checkVersion(stored, 1 + 1 + CHECK_BYTES, what);
  const frame = stored.subarray(1, stored.length - CHECK_BYTES);
  const expected = plainCheck(binding, frame[0]!, frame.subarray(1));
  if (!expected.equals(stored.subarray(stored.length - CHECK_BYTES))) throw damaged(what, 'checksum mismatch');
  return frame;
}

export function checkVersion(stored: Buffer, minLength: number, what: string): void {
  if (stored.length < minLength) throw damaged(what, `only ${stored.length} bytes`);
  // The repository's format version lives in strata.json; an unknown object version is far likelier damage.
  if (stored[0] !== BLOB_FORMAT_VERSION) throw damaged(what, `unknown object format ${stored[0]}`);
}

export function damaged(what: string, why: string): StrataError {
  return new StrataError(
    'corrupt',
    `${what} is damaged or was altered (${why})`,
    'run strata verify on this destination; restore this file from another destination',
  );
}
