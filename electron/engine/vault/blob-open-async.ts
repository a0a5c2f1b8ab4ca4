/**
 * Opening a data blob for a restore: the checks of BlobCodec.decode (tag, binding, size cap, id),
 * with the decompression on the runtime's thread pool, so many blobs inflate at once on the other
 * cores while the main thread decrypts, hashes and writes.
 */
import { bindingOf, damaged, openPlain, openSealed } from './blob-frame.js';
import { decompress, decompressAsync } from './compression.js';
import type { BufferPool } from './buffer-pool.js';
import type { RepoKeys } from './repo-key.js';

/**
 * A data blob's plaintext, authenticated and checked against `id`; `rawLength` only sizes buffers.
 * With a `pool`, the plaintext may be a view of one of its buffers: the caller gives it back once
 * done with it (BufferPool.give).
 */
export type DataOpener = (stored: Buffer, id: string, rawLength: number, pool?: BufferPool) => Promise<Buffer>;

export function createDataOpener(
  keys: RepoKeys | null,
  idOf: (plain: Buffer) => string,
  maxPlain: number,
  /** Inflate on this thread (a worker's) instead of the thread pool. */
  here = false,
): DataOpener {
  return async (stored, id, rawLength, pool) => {
    const what = `data blob ${id}`;
    const binding = bindingOf('data', id);
    const into = pool && ((n: number) => pool.take(n));
    const frame = keys ? openSealed(stored, keys, binding, what, into) : openPlain(stored, binding, what);
    const plain = here
      ? decompress(frame[0]!, frame.subarray(1), maxPlain, what, rawLength)
      : await decompressAsync(frame[0]!, frame.subarray(1), maxPlain, what, rawLength);
    // Inflated: the decrypted frame is done with. Stored as is: the plaintext is a view of it.
    if (pool && plain.buffer !== frame.buffer) pool.give(frame);
    if (idOf(plain) !== id) throw damaged(what, 'its content does not match its id');
    return plain;
  };
}
