/**
 * Gathers encoded blobs into packs of about `targetSize` and uploads each under its name (a hash
 * of its blobs' tags and header, pack-format.ts). Memory stays near one pack being filled plus
 * `maxUploads` packs on their way (`add` waits for an upload slot before sealing the next pack)
 * plus the blobs being encoded, one per caller awaiting its add. Safe with other writers on the
 * same vault: a name binds the pack's bytes, so nothing is ever overwritten with different bytes.
 *
 * Nothing here grows with the number of blobs written: packs are filled in place in buffers
 * reused from one pack to the next (pack-builder.ts), and with an index (`has` and `onPack`) only
 * the ids of packs not yet handed to `onPack` are remembered. Large buffers allocated and freed
 * pack after pack, and an id set of every blob of the run, made a backup of a million small
 * files grow glibc's heap to gigabytes: freeing a large block raises malloc's mmap threshold, so
 * the next pack-sized buffers came from the heap, and what was allocated after them pinned it.
 */
import { StrataError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import { IdSet } from './blob-index.js';
import type { BlobCodec } from './codec.js';
import { PackBuilder } from './pack-builder.js';
import { buildPack, packKey, packTrailerBound, type PackEntry } from './pack-format.js';

export interface WrittenPack {
  packId: string;
  /** Bytes uploaded. */
  size: number;
  blobs: PackEntry[];
}

export interface PackWriterOptions {
  dest: Destination;
  codec: BlobCodec;
  /**
   * Blobs the vault already stores (its index): never encoded or uploaded again. Given with
   * `onPack`, it must know a pack's blobs once `onPack` returns: the writer then forgets them.
   */
  has?: (id: string) => boolean;
  /** Encoded bytes per pack before it is sealed; a larger blob gets a pack of its own. Default 16 MiB. */
  targetSize?: number;
  /** Packs uploading at once; `add` waits while this many are in flight and the next is full. Default 2. */
  maxUploads?: number;
  /** Called once a pack is stored, e.g. to add it to the vault's index. */
  onPack?: (pack: WrittenPack) => void;
  /** Waits before each upload of `bytes`, e.g. for the user's bandwidth limit. */
  pace?: (bytes: number) => Promise<void>;
}

export interface PackWriterStats {
  /** Blobs stored (queued for a pack). */
  added: number;
  /** Blobs skipped: known to the vault, or already added to this writer. */
  skipped: number;
  packs: number;
  bytes: number;
}

export const DEFAULT_PACK_SIZE = 16 * 1024 * 1024;

export class PackWriter {
  readonly stats: PackWriterStats = { added: 0, skipped: 0, packs: 0, bytes: 0 };
  private readonly dest: Destination;
  private readonly codec: BlobCodec;
  private readonly has: (id: string) => boolean;
  private readonly targetSize: number;
  private readonly maxUploads: number;
  private readonly onPack: ((pack: WrittenPack) => void) | undefined;
  private readonly pace: ((bytes: number) => Promise<void>) | undefined;
  /**
   * Ids taken and not yet known to `has`: one set per pack being filled or uploaded, dropped once
   * `onPack` has indexed it. Without an index, a single set of every id the writer took.
   */
  private taken: IdSet[] = [new IdSet()];
  /** Ids being encoded for a pack: a second add of one is a skip, as for a taken one. */
  private readonly encoding = new Set<string>();
  private readonly forgetsIndexed: boolean;
  private builder: PackBuilder | undefined;
  /** Builders whose pack is stored, their buffers ready for the next pack. */
  private readonly spare: PackBuilder[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private written: WrittenPack[] = [];
  private failure: unknown;
  /** Calls run one at a time, in order, even when a caller does not await each add. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: PackWriterOptions) {
    this.dest = opts.dest;
    this.codec = opts.codec;
    this.has = opts.has ?? (() => false);
    this.targetSize = opts.targetSize ?? DEFAULT_PACK_SIZE;
    this.maxUploads = Math.max(1, opts.maxUploads ?? 2);
    this.onPack = opts.onPack;
    this.pace = opts.pace;
    this.forgetsIndexed = opts.has !== undefined && opts.onPack !== undefined;
    if (!(this.targetSize > 0))
      throw new StrataError('internal', `pack target size ${this.targetSize} must be positive`);
  }

  /**
   * Encodes and queues a blob; resolves once it is buffered (not yet stored: call flush). Resolves
   * false when the blob was skipped as already stored or already added.
   */
  add(id: string, plain: Buffer, rawLength = plain.length): Promise<boolean> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    // Skipped at once when known: no encoding, and no wait behind other adds.
    if (this.knows(id)) {
      this.stats.skipped++;
      return Promise.resolve(false);
    }
    // Encoded now, outside the queue: many blobs compress at once on the runtime's thread pool,
    // and only the appending to a pack waits its turn. Compressing inside the queue ran one blob
    // at a time and left the main thread idle for a third of a backup.
    return this.addEncoded(id, this.encode(id, plain), rawLength);
  }

  /** True when an add of `id` would be skipped: the vault stores it or this writer already took it. */
  knows(id: string): boolean {
    return this.encoding.has(id) || this.taken.some((set) => set.has(id)) || this.has(id);
  }

  /**
   * add() for a blob encoded elsewhere (a backup worker thread): `parts` are its encoded bytes,
   * once ready (ask knows(id) before encoding one). From this call on, others skip the id. A
   * rejected `parts` fails the writer, as a failed encode does.
   */
  addEncoded(id: string, parts: Promise<readonly Buffer[]>, rawLength: number): Promise<boolean> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.knows(id)) {
      this.stats.skipped++;
      parts.catch(() => undefined);
      return Promise.resolve(false);
    }
    this.encoding.add(id);
    // A blob that fails to encode fails the writer, as a failed upload does: another add of it may
    // already have been told it was stored.
    parts.catch((err: unknown) => {
      this.failure ??= err;
    });
    return this.serial(async () => {
      try {
        return await this.addNow(id, await parts, rawLength);
      } finally {
        this.encoding.delete(id);
      }
    });
  }

  private async encode(id: string, plain: Buffer): Promise<readonly Buffer[]> {
    return this.codec.encodeParts
      ? await this.codec.encodeParts(plain, 'data', id)
      : [this.codec.encode(plain, 'data', id)];
  }

  /** Uploads the partial pack and waits for every upload; returns the packs stored since the last flush or take. */
  flush(): Promise<WrittenPack[]> {
    return this.serial(async () => {
      if (this.builder?.count) await this.seal();
      await Promise.all(this.inFlight);
      this.throwIfFailed();
      return this.takeWritten();
    });
  }

  /** Packs stored so far (since the last take), without forcing out a partial pack; lets a caller index as it goes. */
  takeWritten(): WrittenPack[] {
    const out = this.written;
    this.written = [];
    return out;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async addNow(id: string, parts: readonly Buffer[], rawLength: number): Promise<boolean> {
    this.throwIfFailed();
    let length = 0;
    for (const part of parts) length += part.length;
    this.stats.added++;
    if (length + packTrailerBound(1) > this.targetSize) {
      const encoded = Buffer.concat(parts, length);
      // Alone, so the partial pack keeps filling and a large blob never doubles a pack's size.
      const ids = this.forgetsIndexed ? new IdSet() : this.taken[0]!;
      ids.add(id);
      // Before the set of the pack being filled, which stays last.
      if (this.forgetsIndexed) this.taken.splice(-1, 0, ids);
      await this.upload(() => buildPack([{ id, encoded, rawLength }], this.codec), ids);
      return true;
    }
    if (this.builder?.count && !this.builder.fits(length)) await this.seal();
    this.builder ??= this.spare.pop() ?? new PackBuilder(Buffer.allocUnsafeSlow(this.targetSize));
    this.builder.append(id, parts, rawLength);
    this.taken.at(-1)!.add(id);
    return true;
  }

  private async seal(): Promise<void> {
    const builder = this.builder!;
    this.builder = undefined;
    const ids = this.taken.at(-1)!;
    if (this.forgetsIndexed) this.taken.push(new IdSet());
    await this.upload(() => builder.seal(this.codec), ids, builder);
  }

  /**
   * Waits for an upload slot (the backpressure), then builds the pack and starts its upload
   * without waiting for it. `ids` are forgotten once indexed; `builder` is reused once stored.
   */
  private async upload(
    build: () => { bytes: Buffer; entries: PackEntry[]; packId: string },
    ids: IdSet,
    builder?: PackBuilder,
  ): Promise<void> {
    while (this.inFlight.size >= this.maxUploads) await Promise.race(this.inFlight);
    this.throwIfFailed();
    const { bytes, entries, packId } = build();
    const task = Promise.resolve(this.pace?.(bytes.length))
      // No sha256 to record: a pack's name is not a hash of its bytes (pack-format.ts), and nothing reads one.
      .then(() => this.dest.putBuffer(packKey(packId), bytes, undefined))
      .then(() => {
        const pack = { packId, size: bytes.length, blobs: entries };
        this.stats.packs++;
        this.stats.bytes += bytes.length;
        this.written.push(pack);
        this.onPack?.(pack);
        if (this.forgetsIndexed) this.taken = this.taken.filter((set) => set !== ids);
        // Only after a success: a failed upload might still be reading its bytes.
        if (builder) this.spare.push(builder);
      })
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  /** A failed upload fails the next call: the blobs it held are not stored. */
  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
