import type { Readable } from 'node:stream';
import { StrataError } from '../../../shared/errors.js';

/** What a destination knows of one stored object. */
export interface ObjectInfo {
  /** Key relative to the destination's prefix. */
  key: string;
  size: number;
  /** SHA-256 (hex) from the object's metadata; local disks compute it on request. */
  sha256?: string | undefined;
  lastModified?: Date | undefined;
  /** The store's version tag (S3 ETag), when it has one. */
  etag?: string | undefined;
  /** S3: the object's Content-Type and user metadata (from a read), kept for a restore into a bucket. */
  contentType?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

export interface OpenOptions {
  /** Only this version: a different current version fails with code 'changed-while-reading'. */
  ifMatch?: string | undefined;
}

/** An object's own Content-Type and user metadata, written exactly (a restore into a bucket). */
export interface ObjectAttributes {
  contentType?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

export interface PutStreamOptions {
  /** Instead of Strata's own (octet-stream, sha256 in metadata): recreate an original object. */
  attributes?: ObjectAttributes | undefined;
  /** Undefined when known only at the body's end (a command's output): the body is taken as it comes. */
  size: number | undefined;
  /** Known up front, or only once the body has ended (it is hashed while it streams). */
  sha256: string | (() => string);
  /** Called with bytes acknowledged by the destination, for progress. */
  onProgress?: (bytes: number) => void;
}

export interface HeadOptions {
  /** Local disks have no metadata: ask them to hash the object to answer `sha256`. */
  withSha256?: boolean;
}

export interface ProbeStep {
  step: 'write' | 'read' | 'list' | 'delete';
  ok: boolean;
  ms: number;
  error?: string;
}

/**
 * An object store rooted at a destination's prefix. Keys use '/' and never start with it.
 * Implementations: local disk, and S3-compatible stores (AWS, R2, B2, Wasabi, MinIO, other).
 */
export interface Destination {
  readonly kind: 'local' | 's3';
  /** For messages: "bucket/prefix" or a folder path. Never contains secrets. */
  readonly label: string;
  /** Upper bound on parallel transfers this destination is given. */
  readonly concurrency: number;

  /**
   * Stores `body`. `sha256` (of `body`) is recorded where the store keeps metadata; undefined
   * where none is worth its cost (a vault's packs: their names are not hashes of their bytes).
   */
  putBuffer(key: string, body: Buffer, sha256: string | undefined, attributes?: ObjectAttributes): Promise<void>;
  /** Streams a body of known size; memory stays bounded whatever the size. */
  putStream(key: string, body: Readable, opts: PutStreamOptions): Promise<void>;
  /** Throws StrataError('not-found') when absent. */
  get(key: string): Promise<Readable>;
  /**
   * Bytes [start, end) of the object, in memory. Clamped like Buffer.subarray: an `end` past the
   * object's size reads to its end, and a `start` at or past it gives an empty buffer (S3 answers
   * 416 to both `start === size` and `start > size`; telling them apart would cost a HEAD). So a
   * result shorter than asked means the object ends there. Throws StrataError('not-found') when the
   * object is absent (also for an empty range), 'internal' for a negative, fractional or reversed
   * range and 'too-large' past MAX_RANGE_BYTES (see checkRange). With `into` (at least end − start
   * bytes) the result may be a view of it, so a reader of many ranges reuses its memory.
   */
  getRange(key: string, start: number, end: number, into?: Buffer): Promise<Buffer>;
  /** Like get, with what the destination knows of the object (S3: its metadata, from the same request). */
  open(key: string, opts?: OpenOptions): Promise<{ body: Readable; info: ObjectInfo }>;
  head(key: string, opts?: HeadOptions): Promise<ObjectInfo | undefined>;
  /** Server-side copy (no download); metadata travels with the object. */
  copy(fromKey: string, toKey: string): Promise<void>;
  /** Missing keys are not an error. */
  delete(keys: string[]): Promise<void>;
  /** Every object under `prefix`, recursively. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Durability barrier: everything written so far is on stable storage when it resolves. */
  flush(): Promise<void>;
  /** Cleans up after a crash (orphaned multipart uploads, temp files). Returns what it removed. */
  sweep(olderThan: Date): Promise<number>;
  /** Write, read back, list and delete a probe object, reporting each step. */
  probe(): Promise<ProbeStep[]>;
  close(): Promise<void>;
}

/** Ranged reads serve pack tails and single blobs (a few MiB): more than this is a caller bug, not a read. */
export const MAX_RANGE_BYTES = 256 * 1024 * 1024;

/** Validates a getRange request and returns the bytes it asks for (before clamping to the object's size). */
export function checkRange(key: string, start: number, end: number): number {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new StrataError('internal', `invalid byte range [${start}, ${end}) asked of "${key}"`);
  }
  if (end - start > MAX_RANGE_BYTES) {
    throw new StrataError(
      'too-large',
      `refusing to read ${end - start} bytes of "${key}" at once: ranged reads are limited to ${MAX_RANGE_BYTES} bytes`,
      'read the object as a stream (get) instead',
    );
  }
  return end - start;
}
