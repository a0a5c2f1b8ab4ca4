/**
 * Reads blobs back out of packs. Every blob is checked on the way out: the codec authenticates it
 * (encrypted vaults), and its plaintext must hash back to its id (every vault), so a damaged pack
 * gives StrataError('corrupt'), never wrong bytes; the other blobs of that pack still read.
 *
 * Packs are fetched whole (the Destination has no ranged read) and the last few kept in an LRU
 * bounded by bytes, since a restore reads the blobs of one pack one after another.
 */
import { StrataError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import type { BlobIndex } from './blob-index.js';
import type { BlobCodec } from './codec.js';
import { readObject } from './pack-fetch.js';
import { packKey } from './pack-format.js';

export const DEFAULT_PACK_CACHE_BYTES = 64 * 1024 * 1024;

/** Whole packs by id, least recently used dropped first; concurrent reads of one pack share its download. */
export class PackCache {
  private readonly packs = new Map<string, Buffer>();
  private readonly loading = new Map<string, Promise<Buffer>>();
  private bytes = 0;

  constructor(readonly maxBytes = DEFAULT_PACK_CACHE_BYTES) {}

  get size(): number {
    return this.bytes;
  }

  async get(packId: string, load: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.packs.get(packId);
    if (hit) {
      this.packs.delete(packId);
      this.packs.set(packId, hit);
      return hit;
    }
    let p = this.loading.get(packId);
    if (!p) {
      p = load().finally(() => this.loading.delete(packId));
      this.loading.set(packId, p);
      void p.then((buf) => this.keep(packId, buf)).catch(() => undefined);
    }
    return p;
  }

  private keep(packId: string, buf: Buffer): void {
    if (buf.length > this.maxBytes || this.packs.has(packId)) return;
    this.packs.set(packId, buf);
    this.bytes += buf.length;
    for (const [id, old] of this.packs) {
      if (this.bytes <= this.maxBytes) break;
      this.packs.delete(id);
      this.bytes -= old.length;
    }
  }
}

export class BlobReader {
  constructor(
    private readonly dest: Destination,
    private readonly codec: BlobCodec,
    private readonly index: BlobIndex,
    readonly cache = new PackCache(),
  ) {}

  read(id: string): Promise<Buffer> {
    return readBlob(this.dest, this.codec, this.index, id, this.cache);
  }
}

/** A blob's plaintext, checked against its id. */
export async function readBlob(
  dest: Destination,
  codec: BlobCodec,
  index: BlobIndex,
  id: string,
  cache = new PackCache(0),
): Promise<Buffer> {
  const loc = index.get(id);
  if (!loc) {
    throw new StrataError(
      'not-found',
      `blob ${id} is not in the vault's index`,
      'run a verify; if index files were lost, rebuild the index from the packs',
    );
  }
  const key = packKey(loc.packId);
  const corrupt = (why: string, cause?: unknown): StrataError =>
    new StrataError(
      'corrupt',
      `blob ${id} in pack ${key} of ${dest.label} is damaged: ${why}`,
      'run a verify; the snapshots that use it need this content backed up again',
      cause === undefined ? undefined : { cause },
    );
  if (loc.kind !== 'data') throw corrupt(`it is a ${loc.kind} blob, which this version does not read as data`);
  const pack = await cache.get(loc.packId, () =>
    readObject(dest, key).catch((err: unknown) => {
      if (err instanceof StrataError && err.code === 'not-found') {
        throw new StrataError(
          'not-found',
          `pack ${key}, which holds blob ${id}, is missing from ${dest.label}`,
          'run a verify; the snapshots that use it need this content backed up again',
          { cause: err },
        );
      }
      throw err;
    }),
  );
  if (loc.offset + loc.length > pack.length) {
    throw corrupt(`the pack is truncated: ${pack.length} bytes, the blob ends at byte ${loc.offset + loc.length}`);
  }
  let plain: Buffer;
  try {
    plain = codec.decode(pack.subarray(loc.offset, loc.offset + loc.length), 'data', id);
  } catch (err) {
    if (err instanceof StrataError && err.code !== 'corrupt') throw err; // a wrong key is not damage
    throw corrupt(`it does not decode (${err instanceof Error ? err.message : String(err)})`, err);
  }
  if (plain.length !== loc.rawLength) throw corrupt(`${plain.length} bytes where the index says ${loc.rawLength}`);
  if (codec.id(plain) !== id) throw corrupt('its content does not match its id');
  // A codec may hand back a view of the cached pack; the caller gets bytes of its own.
  return plain.buffer === pack.buffer ? Buffer.from(plain) : plain;
}
