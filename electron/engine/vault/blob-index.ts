/**
 * In-memory lookups keyed by blob id, sized for millions of entries. A Map of 64-character hex
 * strings to objects costs ~200 bytes an entry; here ids live as 32 raw bytes in one typed array and the
 * fields in typed arrays, found through an open-addressing table: ~72 bytes an entry, and nothing
 * for the garbage collector to trace. Ids are uniform hashes, so their first 4 bytes are the hash.
 */
import { StrataError } from '../../../shared/errors.js';
import { assertBlobId, type PackBlobKind } from './pack-format.js';

const WORDS = 8; // 32-byte ids as 8 uint32 words: compared and hashed without native calls
const EMPTY = 0;

/** An id set without values: the base of BlobIndex, and what a PackWriter remembers it wrote. */
export class IdSet {
  protected capacity = 1024;
  private ids = new Uint32Array(WORDS * 1024);
  /** The same memory as bytes, for hex output. */
  private idBytes = Buffer.from(this.ids.buffer);
  /** Entry number + 1 per slot; EMPTY when free. Kept at most half full so probes stay short. */
  private slots = new Uint32Array(2048);
  private mask = 2047;
  protected count = 0;
  private readonly key = new Uint32Array(WORDS);
  private readonly keyBytes = Buffer.from(this.key.buffer);
  /** Whether the last insert added its id. */
  protected added = false;

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    return this.find(id) >= 0;
  }

  /** Adds an id; false when it was already there. */
  add(id: string): boolean {
    this.insert(id);
    return this.added;
  }

  /** The entry number of an id, or -1. */
  protected find(id: string): number {
    return this.toKey(id) ? this.findKey() : -1;
  }

  /** The entry number of an id, new or existing (`added` tells which). */
  protected insert(id: string): number {
    // Hex decoding doubles as validation (a regex per id costs more than the whole lookup).
    if (!this.toKey(id)) throw new StrataError('internal', `blob id ${JSON.stringify(id)} is not 64 hex digits`);
    const found = this.findKey();
    this.added = found < 0;
    if (found >= 0) return found;
    if (this.count === this.capacity) this.grow(this.capacity * 2);
    if ((this.count + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    const entry = this.count++;
    this.ids.set(this.key, entry * WORDS);
    this.place(entry);
    return entry;
  }

  /** Entry storage grew: subclasses grow their columns to `capacity` too. */
  protected grow(capacity: number): void {
    const ids = new Uint32Array(capacity * WORDS);
    ids.set(this.ids.subarray(0, this.count * WORDS));
    this.ids = ids;
    this.idBytes = Buffer.from(ids.buffer);
    this.capacity = capacity;
  }

  protected idAt(entry: number): string {
    return this.idBytes.toString('hex', entry * WORDS * 4, (entry + 1) * WORDS * 4);
  }

  private toKey(id: string): boolean {
    return id.length === WORDS * 8 && this.keyBytes.write(id, 0, WORDS * 4, 'hex') === WORDS * 4;
  }

  private findKey(): number {
    const k = this.key;
    const ids = this.ids;
    for (let s = k[0]! & this.mask; ; s = (s + 1) & this.mask) {
      const e = this.slots[s]!;
      if (e === EMPTY) return -1;
      const at = (e - 1) * WORDS;
      if (
        ids[at] === k[0] &&
        ids[at + 1] === k[1] &&
        ids[at + 2] === k[2] &&
        ids[at + 3] === k[3] &&
        ids[at + 4] === k[4] &&
        ids[at + 5] === k[5] &&
        ids[at + 6] === k[6] &&
        ids[at + 7] === k[7]
      ) {
        return e - 1;
      }
    }
  }

  private place(entry: number): void {
    let s = this.ids[entry * WORDS]! & this.mask;
    while (this.slots[s] !== EMPTY) s = (s + 1) & this.mask;
    this.slots[s] = entry + 1;
  }

  private rehash(size: number): void {
    this.slots = new Uint32Array(size);
    this.mask = size - 1;
    for (let e = 0; e < this.count; e++) this.place(e);
  }
}

/** Where a blob is stored. */
export interface BlobLocation {
  packId: string;
  kind: PackBlobKind;
  /** Byte offset of the encoded blob in its pack. */
  offset: number;
  /** Encoded length. */
  length: number;
  /** Plaintext length. */
  rawLength: number;
  /** In a pack a collection has marked for deletion (vault/collect.ts): readable, but not to be built on. */
  condemned?: boolean;
}

const KINDS: PackBlobKind[] = ['data', 'tree'];

/**
 * Blob id → location, for every blob of a vault. When a blob is in two packs (two machines stored
 * it at once, or a collection repacked it), a pack not condemned by a collection wins, then the
 * smaller pack id, so the result does not depend on load order. The other copies are kept as
 * alternates (few: duplicates are rare and a collection removes them), which a reader falls back
 * to when the preferred pack is missing or damaged.
 */
export class BlobIndex extends IdSet {
  private packs: string[] = [];
  private readonly packNumbers = new Map<string, number>();
  private packOf = new Uint32Array(1024);
  private kinds = new Uint8Array(1024);
  private offsets = new Float64Array(1024);
  private lengths = new Float64Array(1024);
  private rawLengths = new Float64Array(1024);
  private condemned = new Uint8Array(1024);
  /** Entry → the locations that lost to its preferred one, best first. */
  private readonly alternates = new Map<number, BlobLocation[]>();

  get(id: string): BlobLocation | undefined {
    const e = this.find(id);
    return e < 0 ? undefined : this.at(e);
  }

  /** Every known location of a blob, the preferred one first; empty when unknown. */
  locations(id: string): BlobLocation[] {
    const e = this.find(id);
    return e < 0 ? [] : [this.at(e), ...(this.alternates.get(e) ?? [])];
  }

  /** Records a blob's location; false when it was already known (the location may still change: see class). */
  set(id: string, loc: BlobLocation): boolean {
    const pack = this.packNumber(loc.packId); // first: a bad pack id must not leave a half-made entry
    const entry = this.insert(id);
    const added = this.added;
    const condemned = loc.condemned ? 1 : 0;
    if (!added) {
      const was = this.condemned[entry]!;
      const current = this.packs[this.packOf[entry]!]!;
      if (current === loc.packId) {
        // The same copy named again (two index files list one pack): only a condemnation changes it.
        if (condemned > was) this.condemned[entry] = condemned;
        return false;
      }
      if (condemned > was || (condemned === was && current < loc.packId)) {
        this.addAlternate(entry, { ...loc, condemned: loc.condemned === true });
        return false;
      }
      this.addAlternate(entry, this.at(entry));
    }
    this.packOf[entry] = pack;
    this.condemned[entry] = condemned;
    this.kinds[entry] = KINDS.indexOf(loc.kind);
    this.offsets[entry] = loc.offset;
    this.lengths[entry] = loc.length;
    this.rawLengths[entry] = loc.rawLength;
    return added;
  }

  private addAlternate(entry: number, loc: BlobLocation): void {
    const list = this.alternates.get(entry) ?? [];
    const same = list.findIndex((l) => l.packId === loc.packId);
    if (same >= 0) {
      if (loc.condemned) list[same] = { ...list[same]!, condemned: true };
      return;
    }
    if (!loc.condemned) delete loc.condemned;
    list.push(loc);
    // Live copies before condemned ones, then by pack id, as for the preferred location.
    list.sort((a, b) => Number(a.condemned ?? false) - Number(b.condemned ?? false) || (a.packId < b.packId ? -1 : 1));
    this.alternates.set(entry, list);
  }

  /** `add` from IdSet cannot say where the blob is. */
  override add(id: string): boolean {
    throw new StrataError('internal', `BlobIndex.add(${id}): use set(id, location)`);
  }

  addPack(
    packId: string,
    blobs: Iterable<{ id: string; kind?: PackBlobKind; offset: number; length: number; rawLength: number }>,
    condemned = false,
  ): void {
    for (const b of blobs) {
      this.set(b.id, {
        packId,
        kind: b.kind ?? 'data',
        offset: b.offset,
        length: b.length,
        rawLength: b.rawLength,
        condemned,
      });
    }
  }

  /**
   * Whether a backup may reference this blob instead of storing it: known, and in a pack no
   * collection has condemned (such a pack may be deleted before this backup's snapshot is written).
   */
  hasLive(id: string): boolean {
    const e = this.find(id);
    return e >= 0 && this.condemned[e] === 0;
  }

  /** Every pack named by an indexed location (a few may have lost all their blobs to smaller pack ids). */
  packIds(): string[] {
    return [...this.packs];
  }

  *entries(): IterableIterator<[string, BlobLocation]> {
    for (let e = 0; e < this.count; e++) yield [this.idAt(e), this.at(e)];
  }

  protected override grow(capacity: number): void {
    super.grow(capacity);
    const n = this.count;
    this.packOf = copyInto(new Uint32Array(capacity), this.packOf, n);
    this.kinds = copyInto(new Uint8Array(capacity), this.kinds, n);
    this.offsets = copyInto(new Float64Array(capacity), this.offsets, n);
    this.lengths = copyInto(new Float64Array(capacity), this.lengths, n);
    this.rawLengths = copyInto(new Float64Array(capacity), this.rawLengths, n);
    this.condemned = copyInto(new Uint8Array(capacity), this.condemned, n);
  }

  private at(e: number): BlobLocation {
    return {
      packId: this.packs[this.packOf[e]!]!,
      kind: KINDS[this.kinds[e]!]!,
      offset: this.offsets[e]!,
      length: this.lengths[e]!,
      rawLength: this.rawLengths[e]!,
      ...(this.condemned[e] ? { condemned: true } : {}),
    };
  }

  private packNumber(packId: string): number {
    let n = this.packNumbers.get(packId);
    if (n === undefined) {
      assertBlobId(packId, 'pack id');
      n = this.packs.length;
      this.packs.push(packId);
      this.packNumbers.set(packId, n);
    }
    return n;
  }
}

function copyInto<T extends Uint8Array | Uint32Array | Float64Array>(to: T, from: T, n: number): T {
  to.set(from.subarray(0, n) as never);
  return to;
}
