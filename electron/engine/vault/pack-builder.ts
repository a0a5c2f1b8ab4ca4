/**
 * Fills one pack in place: each encoded blob is copied into a buffer of the pack's size as it
 * comes, and the header is written after them when sealed. A pack of tiny files holds ~100,000
 * blobs; kept as a Buffer each and joined at the end, they cost ~3 times their bytes in objects,
 * 8 KiB pool slabs half used, and a second pack-sized copy, all freed at once per pack. Those
 * bursts left glibc's heap fragmented and growing with the file count (see PackWriter); one
 * buffer reused pack after pack allocates nothing per blob that outlives it.
 */
import type { BlobCodec } from './codec.js';
import { encodePackTrailer, PackNamer, packEntries, packTrailerBound, type PackEntry } from './pack-format.js';

export interface SealedPack {
  /** The pack's bytes: a view of the builder's buffer, valid until the builder is reset. */
  bytes: Buffer;
  entries: PackEntry[];
  /** Its name (pack-format.ts: PackNamer). */
  packId: string;
}

export class PackBuilder {
  private used = 0;
  private ids: string[] = [];
  private lengths: number[] = [];
  private rawLengths: number[] = [];
  /** The pack's name, taken as blobs come in (it covers each blob's tag, not all its bytes). */
  private namer = new PackNamer();

  /** `buffer`'s length is the pack's size limit, header included. */
  constructor(readonly buffer: Buffer) {}

  get count(): number {
    return this.ids.length;
  }

  /** Whether a blob of `length` encoded bytes fits, with room left for the header listing it too. */
  fits(length: number): boolean {
    return this.used + length + packTrailerBound(this.ids.length + 1) <= this.buffer.length;
  }

  /** Copies an encoded blob in, given whole or as parts to join; the caller checked `fits`. */
  append(id: string, encoded: Buffer | readonly Buffer[], rawLength: number): void {
    const start = this.used;
    for (const part of Buffer.isBuffer(encoded) ? [encoded] : encoded) {
      part.copy(this.buffer, this.used);
      this.used += part.length;
    }
    this.namer.blob(this.buffer.subarray(start, this.used));
    this.ids.push(id);
    this.lengths.push(this.used - start);
    this.rawLengths.push(rawLength);
  }

  /**
   * Writes the header after the blobs; the builder is then empty, but its buffer holds the pack's
   * bytes until they are stored: take another builder meanwhile.
   */
  seal(codec: BlobCodec): SealedPack {
    const listed = this.ids.map((id, i) => ({ id, length: this.lengths[i]!, rawLength: this.rawLengths[i]! }));
    const trailer = encodePackTrailer(listed, codec);
    const end = this.used + trailer.length;
    let bytes: Buffer;
    if (end <= this.buffer.length) {
      trailer.copy(this.buffer, this.used);
      bytes = this.buffer.subarray(0, end);
    } else {
      // packTrailerBound is a bound, so this does not happen; a copy keeps a miscount from corrupting a pack.
      bytes = Buffer.concat([this.buffer.subarray(0, this.used), trailer]);
    }
    const sealed = { bytes, entries: packEntries(listed), packId: this.namer.name(trailer) };
    this.namer = new PackNamer();
    this.used = 0;
    this.ids = [];
    this.lengths = [];
    this.rawLengths = [];
    return sealed;
  }
}
