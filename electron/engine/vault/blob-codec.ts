import { createCipheriv, createHash, createHmac, randomFillSync } from 'node:crypto';
import {
  BLOB_FORMAT_VERSION,
  NONCE_BYTES,
  bindingOf,
  damaged,
  openPlain,
  openSealed,
  plainCheck,
} from './blob-frame.js';
import type { BlobCodec, BlobKind } from './codec.js';
import { createDataOpener } from './blob-open-async.js';
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

export { BLOB_FORMAT_VERSION };

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
  /**
   * Chunk ids are the keyed hash of the chunk's SHA-256, not of the chunk (a v2 vault's
   * `ids: 'keyed-sha256'`): a file of one chunk, whose SHA-256 is taken anyway, is hashed once.
   * Without keys the id is the SHA-256 either way.
   */
  digestIds?: boolean;
  /**
   * openData inflates on the calling thread rather than the runtime's thread pool: for a worker
   * thread, which has no main thread to keep free and would only wait for the pool.
   */
  inflateHere?: boolean;
}

const KIND_LABEL: Record<BlobKind, string> = {
  data: 'data blob',
  'pack-header': 'pack header',
  index: 'index',
  manifest: 'manifest',
  run: 'run marker',
  collection: 'collection marker',
};

/**
 * Random GCM nonces drawn from a block refilled every 4096 objects: one call into the CSPRNG per
 * object cost more than sealing a small file. Each nonce is a copy, as a sealed object outlives the block.
 */
class NoncePool {
  private readonly block = Buffer.alloc(NONCE_BYTES * 4096);
  private used = this.block.length;

  next(): Buffer {
    if (this.used === this.block.length) {
      randomFillSync(this.block);
      this.used = 0;
    }
    this.used += NONCE_BYTES;
    return Buffer.from(this.block.subarray(this.used - NONCE_BYTES, this.used));
  }
}

const nonces = new NoncePool();

/**
 * Encrypting in pieces this size keeps each output small enough for the allocator to recycle; one
 * update per blob faulted in a fresh chunk-sized buffer each time, which on a VM ran GCM at ~140 MB/s
 * instead of >1 GB/s. The pack builder copies the pieces into its reused pack buffer.
 */
const SEAL_PIECE = 64 * 1024;

/** The codec of a vault: sealed under `keys`, or plain (compressed and checked) when keys is null. */
export function createCodec(keys: RepoKeys | null, options: CodecOptions = {}): BlobCodec {
  const limits = { ...DEFAULT_MAX_PLAIN_BYTES, ...options.maxPlainBytes };
  const idOfDigest = keys
    ? (digest: Buffer) => createHmac('sha256', keys.idKey).update(digest).digest('hex')
    : (digest: Buffer) => digest.toString('hex');
  const fromDigests = !keys || options.digestIds === true;
  const id =
    keys && !fromDigests
      ? (plain: Buffer) => createHmac('sha256', keys.idKey).update(plain).digest('hex')
      : (plain: Buffer) => idOfDigest(createHash('sha256').update(plain).digest());

  // The parts of a sealed object, so a pack writer copies them straight into its pack.
  const seal = (kind: BlobKind, context: string, alg: number, payload: Buffer): Buffer[] => {
    const binding = bindingOf(kind, context);
    const version = Buffer.of(BLOB_FORMAT_VERSION);
    if (!keys) return [version, Buffer.of(alg), payload, plainCheck(binding, alg, payload)];
    const nonce = nonces.next();
    const cipher = createCipheriv('aes-256-gcm', keys.encryptionKey, nonce);
    cipher.setAAD(binding);
    const parts = [version, nonce, cipher.update(Buffer.of(alg))];
    for (let from = 0; from < payload.length; from += SEAL_PIECE) {
      parts.push(cipher.update(payload.subarray(from, from + SEAL_PIECE)));
    }
    parts.push(cipher.final(), cipher.getAuthTag());
    return parts;
  };

  const partsHere = (plain: Buffer, kind: BlobKind, context: string): Buffer[] => {
    const { alg, payload } = compress(plain);
    return seal(kind, context, alg, payload);
  };

  return {
    encrypted: keys !== null,
    id,
    ...(fromDigests ? { idOfDigest } : {}),

    encode: (plain, kind, context) => Buffer.concat(partsHere(plain, kind, context)),

    async encodeParts(plain, kind, context) {
      const { alg, payload } = await compressAsync(plain);
      return seal(kind, context, alg, payload);
    },

    encodePartsHere: partsHere,

    decode(stored, kind, context) {
      const what = context ? `${KIND_LABEL[kind]} ${context}` : KIND_LABEL[kind];
      const binding = bindingOf(kind, context);
      const frame = keys ? openSealed(stored, keys, binding, what) : openPlain(stored, binding, what);
      const plain = decompress(frame[0]!, frame.subarray(1), limits[kind], what);
      if (kind === 'data' && id(plain) !== context) throw damaged(what, 'its content does not match its id');
      return plain;
    },

    openData: createDataOpener(keys, id, limits.data, options.inflateHere ?? false),
    madeFrom: { keys, options },
  };
}
