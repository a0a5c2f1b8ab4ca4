import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { StrataError } from '../../../shared/errors.js';
import type { BlobCodec, BlobKind } from './codec.js';
import { compress, compressAsync, decompress } from './compression.js';
import type { RepoKeys } from './repo-key.js';

/**
 * Encoded vault objects (all integers are single bytes):
 *
 *   sealed (encrypted vault):  01 | nonce(12) | AES-256-GCM( alg | payload ) | tag(16)
 *   plain (unencrypted vault): 01 | alg | payload | check(16)
 *
 * `01` is the object format version; `alg` is the compression (0 none, 1 raw deflate, 2 zstd);
 * `payload` is the compressed plaintext. Both forms bind `strata-vault-v1|<kind>|<context>`:
 * as GCM's additional data when sealed, and into `check` = SHA-256(len32be(binding) | binding |
 * 01 | alg | payload)[0..16] when plain. So an object stored as another kind or under another
 * context fails to decode, and every kind carries a damage check when unencrypted (a check,
 * not a proof: without a key anyone who can write the bucket can recompute it). On top,
 * `data` blobs are verified against their id (`context` must be the blob id), in both forms.
 */

export const BLOB_FORMAT_VERSION = 1;

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const CHECK_BYTES = 16;

/** Largest plaintext a decode will produce, per kind: a decompression-bomb cap well above what Strata writes. */
export const DEFAULT_MAX_PLAIN_BYTES: Readonly<Record<BlobKind, number>> = {
  data: 64 * 1024 * 1024,
  'pack-header': 256 * 1024 * 1024,
  index: 1024 * 1024 * 1024,
  manifest: 1024 * 1024 * 1024,
  run: 64 * 1024,
  collection: 256 * 1024 * 1024,
};

export interface CodecOptions {
  maxPlainBytes?: Partial<Record<BlobKind, number>>;
}

const KIND_LABEL: Record<BlobKind, string> = {
  data: 'data blob',
  'pack-header': 'pack header',
  index: 'index',
  manifest: 'manifest',
  run: 'run marker',
  collection: 'collection marker',
};

/** The codec of a vault: sealed under `keys`, or plain (compressed and checked) when keys is null. */
export function createCodec(keys: RepoKeys | null, options: CodecOptions = {}): BlobCodec {
  const limits = { ...DEFAULT_MAX_PLAIN_BYTES, ...options.maxPlainBytes };
  const id = keys
    ? (plain: Buffer) => createHmac('sha256', keys.idKey).update(plain).digest('hex')
    : (plain: Buffer) => createHash('sha256').update(plain).digest('hex');

  // Cheap next to compression, and a blob stored under a wrong id would be lost for good.
  const checkId = (plain: Buffer, kind: BlobKind, context: string): void => {
    if (kind === 'data' && id(plain) !== context) {
      throw new StrataError('internal', `data blob encoded under ${context}, which is not its id`);
    }
  };
  const seal = (kind: BlobKind, context: string, alg: number, payload: Buffer): Buffer => {
    const binding = bindingOf(kind, context);
    const version = Buffer.of(BLOB_FORMAT_VERSION);
    if (!keys) return Buffer.concat([version, Buffer.of(alg), payload, plainCheck(binding, alg, payload)]);
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', keys.encryptionKey, nonce);
    cipher.setAAD(binding);
    const head = cipher.update(Buffer.of(alg));
    const body = cipher.update(payload);
    return Buffer.concat([version, nonce, head, body, cipher.final(), cipher.getAuthTag()]);
  };

  return {
    encrypted: keys !== null,
    id,

    encode(plain, kind, context) {
      checkId(plain, kind, context);
      const { alg, payload } = compress(plain);
      return seal(kind, context, alg, payload);
    },

    async encodeAsync(plain, kind, context) {
      checkId(plain, kind, context);
      const { alg, payload } = await compressAsync(plain);
      return seal(kind, context, alg, payload);
    },

    decode(stored, kind, context) {
      const what = context ? `${KIND_LABEL[kind]} ${context}` : KIND_LABEL[kind];
      const binding = bindingOf(kind, context);
      const frame = keys ? openSealed(stored, keys, binding, what) : openPlain(stored, binding, what);
      const plain = decompress(frame[0]!, frame.subarray(1), limits[kind], what);
      if (kind === 'data' && id(plain) !== context) throw damaged(what, 'its content does not match its id');
      return plain;
    },
  };
}

function bindingOf(kind: BlobKind, context: string): Buffer {
  return Buffer.from(`strata-vault-v${BLOB_FORMAT_VERSION}|${kind}|${context}`, 'utf8');
}

/** Returns `alg | payload` once the tag verifies. */
function openSealed(stored: Buffer, keys: RepoKeys, binding: Buffer, what: string): Buffer {
  checkVersion(stored, 1 + NONCE_BYTES + 1 + TAG_BYTES, what);
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.encryptionKey, stored.subarray(1, 1 + NONCE_BYTES));
    decipher.setAAD(binding);
    decipher.setAuthTag(stored.subarray(stored.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(stored.subarray(1 + NONCE_BYTES, stored.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw damaged(what, 'authentication failed');
  }
}

/** Returns `alg | payload` once the check matches. */
function openPlain(stored: Buffer, binding: Buffer, what: string): Buffer {
  checkVersion(stored, 1 + 1 + CHECK_BYTES, what);
  const frame = stored.subarray(1, stored.length - CHECK_BYTES);
  const expected = plainCheck(binding, frame[0]!, frame.subarray(1));
  if (!expected.equals(stored.subarray(stored.length - CHECK_BYTES))) throw damaged(what, 'checksum mismatch');
  return frame;
}

function plainCheck(binding: Buffer, alg: number, payload: Buffer): Buffer {
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

function checkVersion(stored: Buffer, minLength: number, what: string): void {
  if (stored.length < minLength) throw damaged(what, `only ${stored.length} bytes`);
  // The repository's format version lives in strata.json; an unknown object version is far likelier damage.
  if (stored[0] !== BLOB_FORMAT_VERSION) throw damaged(what, `unknown object format ${stored[0]}`);
}

function damaged(what: string, why: string): StrataError {
  return new StrataError(
    'corrupt',
    `${what} is damaged or was altered (${why})`,
    'run strata verify on this destination; restore this file from another destination',
  );
}
