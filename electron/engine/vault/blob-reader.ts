/**
 * Reads blobs back out of packs. Every blob is checked on the way out: the codec authenticates it
 * (encrypted vaults), and its plaintext must hash back to its id (every vault), so a damaged pack
 * gives StrataError('corrupt'), never wrong bytes; the other blobs of that pack still read.
 *
 * Blobs are ranged reads of their packs, never whole packs. A miss reads ahead (4 MiB from the
 * blob on) and keeps that span in an LRU bounded by bytes, since a restore reads the blobs of a pack
 * one after another: a pack of small files costs a few GETs, not one per file, and one blob costs
 * its span, not its 16 MiB pack. Headers are not cached: blob reads take locations from the index,
 * and only an index rebuild reads headers, once per pack.
 */
import { StrataError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import type { BlobIndex, BlobLocation } from './blob-index.js';
import { BufferPool } from './buffer-pool.js';
import type { BlobCodec } from './codec.js';
import { readPackRange } from './pack-fetch.js';
import { packKey } from './pack-format.js';

/** Where a blob's copies are: the vault's index, or what a restore worker was told with its file. */
export type BlobLocator = Pick<BlobIndex, 'locations'>;

export const DEFAULT_PACK_CACHE_BYTES = 64 * 1024 * 1024;
/** A miss reads at least this much: the next blobs of the pack then come from memory. */
export const DEFAULT_READ_AHEAD = 4 * 1024 * 1024;

/** Bytes read from a pack starting at `start`; a read that came back short ends where the pack does. */
interface Span {
  packId: string;
  start: number;
  bytes: Buffer;
  /** Readers between taking a view of `bytes` and being done with it. */
  users: number;
  /** Dropped from the cache while in use: its memory goes back to the pool when the last reader is done. */
  evicted: boolean;
}

interface Loading {
  packId: string;
  start: number;
  end: number;
  /** Its bytes are set when `ready` resolves. */
  span: Span;
  ready: Promise<void>;
}

const EMPTY = Buffer.alloc(0);

const endOf = (s: Span): number => s.start + s.bytes.length;

/** Reads bytes [start, end) of the pack, short at its end (Destination.getRange); `into` may hold them. */
export type SpanLoader = (start: number, end: number, into: Buffer) => Promise<Buffer>;

/**
 * Spans of packs, least recently used dropped first; concurrent reads inside one span being
 * fetched share its download. With maxBytes 0 nothing is kept and nothing is read ahead.
 *
 * A dropped span's memory is reused for the next one once no reader holds a view of it: a restore
 * reads its whole size through here, and fresh memory costs a page fault per 4 KiB (see BufferPool).
 */
export class PackCache {
  readonly readAhead: number;
  private readonly byPack = new Map<string, Set<Span>>();
  /** Every kept span, least recently used first. */
  private readonly lru = new Set<Span>();
  private readonly loading = new Set<Loading>();
  private readonly pool: BufferPool;
  private bytes = 0;

  /**
   * `spareBytes`: span memory kept idle for the next misses. Spans still being read when dropped
   * come back later, so a small cache read by several files at once needs more spare than it keeps:
   * with only its own size spare, a restore worker's 8 MiB cache made a fresh 4 MiB span every
   * 16 MiB read, each page of it a fault.
   */
  constructor(
    readonly maxBytes = DEFAULT_PACK_CACHE_BYTES,
    readAhead = DEFAULT_READ_AHEAD,
    spareBytes = maxBytes,
  ) {
    // Reading ahead what cannot be kept would only cost bytes.
    this.readAhead = Math.min(readAhead, maxBytes);
    this.pool = new BufferPool(spareBytes, 2 * this.readAhead);
  }

  get size(): number {
    return this.bytes;
  }

  /** Span memory idle in the pool, for the next miss. */
  get idleBytes(): number {
    return this.pool.idleBytes;
  }

  /**
   * Runs `fn` on bytes [start, end) of a pack, fewer when the pack ends before `end`. The bytes may
   * be a view of a cached span: valid only until `fn`'s promise settles.
   */
  async use<T>(
    packId: string,
    start: number,
    end: number,
    load: SpanLoader,
    fn: (bytes: Buffer) => Promise<T>,
  ): Promise<T> {
    const spans = this.byPack.get(packId);
    let partial: Span | undefined;
    for (const s of spans ?? []) {
      if (s.start > start || endOf(s) < start) continue;
      if (endOf(s) >= end) {
        this.lru.delete(s);
        this.lru.add(s);
        return this.within(s, () => fn(slice(s, start, end)));
      }
      // Holds the front of the range: the next read starts where it ends instead of re-reading it.
      if (!partial || endOf(s) > endOf(partial)) partial = s;
    }
    for (const l of this.loading) {
      if (l.packId === packId && l.start <= start && end <= l.end) {
        // Counted before waiting, so no continuation in between can hand its memory to another span.
        l.span.users++;
        try {
          await l.ready;
        } catch (err) {
          l.span.users--;
          throw err;
        }
        return this.within(l.span, () => fn(slice(l.span, start, end)), true);
      }
    }
    const from = partial ? endOf(partial) : start;
    const to = Math.max(end, from + this.readAhead);
    // This reader is the span's first user; the kept head, if any, is held while the rest loads.
    const span: Span = { packId, start: from, bytes: EMPTY, users: 1, evicted: false };
    if (partial) partial.users++;
    const loading: Loading = { packId, start: from, end: to, span, ready: this.fill(span, to, load) };
    this.loading.add(loading);
    try {
      await loading.ready;
    } catch (err) {
      if (partial) this.release(partial);
      throw err;
    } finally {
      this.loading.delete(loading);
    }
    this.keep(span);
    if (!partial) return this.within(span, () => fn(slice(span, start, end)), true);
    // The range straddles two spans: only its own bytes are joined. Joining the kept head to each new
    // span copied up to twice the read-ahead per miss, a third of a restore's main-thread time.
    const joined = Buffer.concat([slice(partial, start, from), slice(span, from, end)]);
    this.release(partial);
    this.release(span);
    return fn(joined);
  }

  /** Reads the span's bytes, into pooled memory when the loader takes it. */
  private async fill(span: Span, to: number, load: SpanLoader): Promise<void> {
    const into = this.pool.take(to - span.start);
    let bytes: Buffer;
    try {
      bytes = await load(span.start, to, into);
    } catch (err) {
      this.pool.give(into);
      throw err;
    }
    // A loader that made its own buffer leaves the pool's to the pool.
    if (bytes.buffer !== into.buffer) this.pool.give(into);
    span.bytes = bytes;
  }

  /** `work` on a view of `span`, which stays out of the pool until it settles. */
  private async within<T>(span: Span, work: () => Promise<T>, counted = false): Promise<T> {
    if (!counted) span.users++;
    try {
      return await work();
    } finally {
      this.release(span);
    }
  }

  private release(span: Span): void {
    if (--span.users === 0 && span.evicted) this.pool.give(span.bytes);
  }

  private keep(span: Span): void {
    if (span.bytes.length === 0 || span.bytes.length > this.maxBytes) return;
    let spans = this.byPack.get(span.packId);
    if (!spans) this.byPack.set(span.packId, (spans = new Set()));
    spans.add(span);
    this.lru.add(span);
    this.bytes += span.bytes.length;
    for (const old of this.lru) {
      if (this.bytes <= this.maxBytes) break;
      this.lru.delete(old);
      const set = this.byPack.get(old.packId)!;
      set.delete(old);
      if (set.size === 0) this.byPack.delete(old.packId);
      this.bytes -= old.bytes.length;
      if (old.users === 0) this.pool.give(old.bytes);
      else old.evicted = true;
    }
  }
}

function slice(span: Span, start: number, end: number): Buffer {
  return span.bytes.subarray(Math.min(start - span.start, span.bytes.length), end - span.start);
}

export class BlobReader {
  /** Where readPooled's plaintexts live until recycled. */
  private readonly pool: BufferPool;

  /** `plainPoolBytes`: readPooled's recycled plaintexts kept idle for reuse. */
  constructor(
    private readonly dest: Destination,
    private readonly codec: BlobCodec,
    private readonly index: BlobLocator,
    readonly cache = new PackCache(),
    plainPoolBytes?: number,
  ) {
    this.pool = new BufferPool(plainPoolBytes);
  }

  /** A blob's plaintext in a buffer of its own. */
  read(id: string): Promise<Buffer> {
    return readBlob(this.dest, this.codec, this.index, id, this.cache);
  }

  /**
   * `read`, the plaintext possibly in a reused buffer: hand it to recycle() once nothing reads it
   * any more (a restore, after the write), or just drop it.
   */
  readPooled(id: string): Promise<Buffer> {
    return readBlob(this.dest, this.codec, this.index, id, this.cache, this.pool);
  }

  recycle(plain: Buffer): void {
    this.pool.give(plain);
  }
}

/**
 * A blob's plaintext, checked against its id. When its preferred pack is missing or damaged, the
 * other packs that hold a copy are tried (BlobIndex.locations); the first failure is reported when
 * none reads.
 */
export async function readBlob(
  dest: Destination,
  codec: BlobCodec,
  index: BlobLocator,
  id: string,
  cache = new PackCache(0),
  pool?: BufferPool,
): Promise<Buffer> {
  const locations = index.locations(id);
  if (locations.length === 0) {
    throw new StrataError(
      'not-found',
      `blob ${id} is not in the vault's index`,
      'run a verify; if index files were lost, rebuild the index from the packs',
    );
  }
  let first: unknown;
  for (const loc of locations) {
    try {
      return await readBlobAt(dest, codec, id, loc, cache, pool);
    } catch (err) {
      const fallible = err instanceof StrataError && (err.code === 'not-found' || err.code === 'corrupt');
      if (!fallible) throw err;
      first ??= err;
    }
  }
  throw first;
}

async function readBlobAt(
  dest: Destination,
  codec: BlobCodec,
  id: string,
  loc: BlobLocation,
  cache: PackCache,
  pool: BufferPool | undefined,
): Promise<Buffer> {
  const key = packKey(loc.packId);
  const corrupt = (why: string, cause?: unknown): StrataError =>
    new StrataError(
      'corrupt',
      `blob ${id} in pack ${key} of ${dest.label} is damaged: ${why}`,
      'run a verify; the snapshots that use it need this content backed up again',
      cause === undefined ? undefined : { cause },
    );
  if (loc.kind !== 'data') throw corrupt(`it is a ${loc.kind} blob, which this version does not read as data`);
  const end = loc.offset + loc.length;
  const load: SpanLoader = (from, to, into) =>
    readPackRange(dest, loc.packId, from, to, into).catch((err: unknown) => {
      if (err instanceof StrataError && err.code === 'not-found') {
        throw new StrataError(
          'not-found',
          `pack ${key}, which holds blob ${id}, is missing from ${dest.label}`,
          'run a verify; the snapshots that use it need this content backed up again',
          { cause: err },
        );
      }
      throw err;
    });
  const plain = await cache.use(loc.packId, loc.offset, end, load, async (stored) => {
    if (stored.length < loc.length) {
      throw corrupt(
        `the pack is truncated: the blob ends at byte ${end} but the pack has only ${stored.length} of its ${loc.length} bytes`,
      );
    }
    let opened: Buffer;
    try {
      // Authenticates the blob and checks its plaintext hashes back to `id` (blob-open-async.ts).
      opened = await codec.openData(stored, id, loc.rawLength, pool);
    } catch (err) {
      if (err instanceof StrataError && err.code !== 'corrupt') throw err; // a wrong key is not damage
      throw corrupt(`it does not decode (${err instanceof Error ? err.message : String(err)})`, err);
    }
    // A codec may hand back a view of the cached span, which is reused: the caller gets bytes of its own.
    return opened.buffer === stored.buffer ? Buffer.from(opened) : opened;
  });
  if (plain.length !== loc.rawLength) throw corrupt(`${plain.length} bytes where the index says ${loc.rawLength}`);
  return plain;
}
