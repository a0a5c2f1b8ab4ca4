/**
 * The vault layout's building blocks meet here. Every stored vault object (a blob inside a
 * pack, a pack's header, an index file, a manifest) is encoded by a BlobCodec: compressed when
 * that shrinks it, then sealed (AES-256-GCM) when the vault is encrypted. Blob ids are keyed
 * hashes of the plaintext, so equal content is stored once and names leak nothing.
 */

import type { CodecOptions } from './blob-codec.js';
import type { BufferPool } from './buffer-pool.js';
import type { RepoKeys } from './repo-key.js';

/** What an encoded object is; bound into the seal (AAD) so one kind cannot be swapped for another. */
export type BlobKind = 'data' | 'pack-header' | 'index' | 'manifest' | 'run' | 'collection';

export interface BlobCodec {
  /** True when objects are sealed with the repository key. */
  readonly encrypted: boolean;
  /**
   * The content id of a plaintext (hex): HMAC-SHA-256 under the repository's id key, of its SHA-256
   * in a v2 vault and of the plaintext itself in a v1 one; its SHA-256 when unencrypted.
   */
  id(plain: Buffer): string;
  /**
   * The same id from the plaintext's SHA-256 (raw bytes), where ids are made that way (an
   * unencrypted vault, or a v2 one): a caller that hashed the plaintext anyway saves a pass.
   */
  idOfDigest?(sha256: Buffer): string;
  /** Compress (when it shrinks) and seal; `context` (e.g. the blob id) is bound in with the kind. */
  encode(plain: Buffer, kind: BlobKind, context: string): Buffer;
  /**
   * `encode` compressing off the main thread, the object returned as parts to be joined in order
   * (a pack writer copies them into its pack: no joined copy per blob). Same output format;
   * optional for codecs that have nothing to offload. The caller derived a data blob's id
   * (`context`) from these same bytes (decode and verify check it on the way back).
   */
  encodeParts?(plain: Buffer, kind: BlobKind, context: string): Promise<readonly Buffer[]>;
  /** `encodeParts` compressing on the calling thread: for a worker thread, whose time is the pool's anyway. */
  encodePartsHere?(plain: Buffer, kind: BlobKind, context: string): readonly Buffer[];
  /** Open and decompress; throws StrataError('corrupt') naming the object when it was altered or is not ours. */
  decode(stored: Buffer, kind: BlobKind, context: string): Buffer;
  /**
   * decode(stored, 'data', id) with the same checks, run on the runtime's thread pool so many
   * blobs open at once on every core (a restore); `rawLength` (from the index) only sizes buffers.
   * With a `pool` the plaintext may live in one of its buffers (the caller gives it back when done).
   */
  openData(stored: Buffer, id: string, rawLength: number, pool?: BufferPool): Promise<Buffer>;
  /** What createCodec made it from, so a restore worker thread can make the same codec. */
  readonly madeFrom?: { keys: RepoKeys | null; options: CodecOptions };
}
