/**
 * Pack objects: many small encoded blobs in one destination object, so 100,000 small files do not
 * cost 100,000 PUTs. Pure (no I/O).
 *
 * Pack bytes:
 *   [blob 0 encoded][blob 1 encoded]...[blob n-1 encoded][encoded header][u32 BE: encoded header length]
 * Blobs are contiguous from offset 0 in header order, so the header's lengths must add up to exactly
 * the bytes before it: a pack cut short or padded is caught when its header is read.
 *
 * Header plaintext (before codec.encode(…, 'pack-header', '')), all integers big-endian:
 *   magic "SPK1" (4) | version u8 = 1 | flags u8 = 0 | count u32
 *   count × 45 bytes: id (32 raw bytes) | kind u8 (0 data, 1 tree: reserved) | length u48 (encoded) | rawLength u48
 * Binary rather than JSON: 45 bytes per blob against ~130, and no parsing of hex strings when a
 * rebuild reads hundreds of thousands of entries. Offsets are implied by the running sum of lengths.
 *
 * Object key: packs/<first 2 hex of packId>/<packId>. packId = SHA-256 over the last 16 bytes of
 * each blob in order, then the trailer (see PackNamer): a blob ends with its GCM tag (or, in a
 * vault without encryption, a check hash of its content), and the trailer with the header's, so
 * the name binds every byte of the pack at a sixtieth of hashing all of them. A re-upload of the
 * same bytes (a retry) lands on the same key; an encrypted trailer's random nonce keeps two packs
 * from ever sharing a name. Readers never recompute it: each blob and the header authenticate
 * themselves.
 */
import { createHash } from 'node:crypto';
import { StrataError } from '../../../shared/errors.js';
import type { BlobCodec } from './codec.js';

/** What a blob in a pack holds. 'tree' is reserved for directory listings, not written yet. */
export type PackBlobKind = 'data' | 'tree';

/** One blob as the pack header describes it. */
export interface PackEntry {
  id: string;
  kind: PackBlobKind;
  /** Byte offset of the encoded blob from the start of the pack. */
  offset: number;
  /** Encoded (stored) length. */
  length: number;
  /** Plaintext length. */
  rawLength: number;
}

export interface PackBlobInput {
  id: string;
  encoded: Buffer;
  rawLength: number;
  kind?: PackBlobKind;
}

/** A first ranged read of a pack's tail: enough for the header of a pack of ~1,400 blobs. */
export const PACK_TAIL_READ = 64 * 1024;
/** The codec context of pack headers: fixed, since the header cannot name the pack it is part of. */
export const PACK_HEADER_CONTEXT = '';

const MAGIC = Buffer.from('SPK1', 'latin1');
const VERSION = 1;
const PREAMBLE = 4 + 1 + 1 + 4;
const ENTRY = 32 + 1 + 6 + 6;
const MAX_U48 = 2 ** 48 - 1;
const KIND_CODES: Record<PackBlobKind, number> = { data: 0, tree: 1 };
const KINDS: PackBlobKind[] = ['data', 'tree'];
const HEX_ID = /^[0-9a-f]{64}$/;

export function isBlobId(id: string): boolean {
  return HEX_ID.test(id);
}

/** Ids are 64 lowercase hex characters (SHA-256 or HMAC-SHA-256); anything else is a caller bug. */
export function assertBlobId(id: string, what = 'blob id'): void {
  if (!HEX_ID.test(id))
    throw new StrataError('internal', `${what} ${JSON.stringify(id)} is not 64 lowercase hex digits`);
}

export function packKey(packId: string): string {
  assertBlobId(packId, 'pack id');
  return `packs/${packId.slice(0, 2)}/${packId}`;
}

/** The pack id of a key under packs/, or undefined for anything else found there (temp files, strays). */
export function packIdOfKey(key: string): string | undefined {
  const m = /^packs\/([0-9a-f]{2})\/([0-9a-f]{64})$/.exec(key);
  return m && m[2]!.startsWith(m[1]!) ? m[2] : undefined;
}

/** Bytes of a blob's end a pack's name covers: its GCM tag, or its check when unencrypted (blob-frame.ts). */
export const PACK_NAME_TAIL = 16;

/** A pack's name, taken as its blobs are laid down (see the top). */
export class PackNamer {
  private readonly hash = createHash('sha256');

  /** Adds a blob by its encoded bytes (every sealed blob is longer than PACK_NAME_TAIL). */
  blob(encoded: Buffer): void {
    this.hash.update(encoded.subarray(Math.max(0, encoded.length - PACK_NAME_TAIL)));
  }

  /** The name, once the trailer is added; the namer is then spent. */
  name(trailer: Buffer): string {
    return this.hash.update(trailer).digest('hex');
  }
}

export function sha256Hex(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** One blob as a pack header lists it (its offset is implied by the lengths before it). */
export interface PackHeaderEntry {
  id: string;
  kind?: PackBlobKind;
  /** Encoded length. */
  length: number;
  rawLength: number;
}

/** Bytes a pack's trailer and encoded header can take beyond ENTRY bytes a blob (codec framing, length). */
const HEADER_SLACK = 4 + PREAMBLE + 64;

/**
 * The most bytes the header and trailer of a pack of `count` blobs take: the codec never grows
 * its input by more than its framing (compression is skipped when it does not shrink).
 */
export function packTrailerBound(count: number): number {
  return HEADER_SLACK + ENTRY * count;
}

/** The encoded header of a pack listing `blobs` in order, followed by its 4-byte length: what ends a pack. */
export function encodePackTrailer(blobs: readonly PackHeaderEntry[], codec: BlobCodec): Buffer {
  if (blobs.length === 0) throw new StrataError('internal', 'a pack needs at least one blob');
  const plain = Buffer.alloc(PREAMBLE + ENTRY * blobs.length);
  MAGIC.copy(plain, 0);
  plain.writeUInt8(VERSION, 4);
  plain.writeUInt8(0, 5);
  plain.writeUInt32BE(blobs.length, 6);
  let at = PREAMBLE;
  for (const b of blobs) {
    assertBlobId(b.id);
    if (b.rawLength < 0 || b.rawLength > MAX_U48 || !Number.isInteger(b.rawLength)) {
      throw new StrataError('internal', `blob ${b.id} has an impossible raw length ${b.rawLength}`);
    }
    plain.write(b.id, at, 32, 'hex');
    plain.writeUInt8(KIND_CODES[b.kind ?? 'data'], at + 32);
    plain.writeUIntBE(b.length, at + 33, 6);
    plain.writeUIntBE(b.rawLength, at + 39, 6);
    at += ENTRY;
  }
  const header = codec.encode(plain, 'pack-header', PACK_HEADER_CONTEXT);
  const trailer = Buffer.allocUnsafe(header.length + 4);
  header.copy(trailer, 0);
  trailer.writeUInt32BE(header.length, header.length);
  return trailer;
}

/** The entries of a pack's blobs laid out from offset 0 in `blobs` order. */
export function packEntries(blobs: readonly PackHeaderEntry[]): PackEntry[] {
  const entries: PackEntry[] = new Array<PackEntry>(blobs.length);
  let offset = 0;
  for (let i = 0; i < blobs.length; i++) {
    const b = blobs[i]!;
    entries[i] = { id: b.id, kind: b.kind ?? 'data', offset, length: b.length, rawLength: b.rawLength };
    offset += b.length;
  }
  return entries;
}

/** The pack's bytes and its name (PackNamer). */
export function buildPack(
  blobs: PackBlobInput[],
  codec: BlobCodec,
): { packId: string; bytes: Buffer; entries: PackEntry[] } {
  const listed = blobs.map((b) => ({ id: b.id, kind: b.kind, length: b.encoded.length, rawLength: b.rawLength }));
  const trailer = encodePackTrailer(listed, codec);
  const namer = new PackNamer();
  for (const b of blobs) namer.blob(b.encoded);
  return {
    packId: namer.name(trailer),
    bytes: Buffer.concat([...blobs.map((b) => b.encoded), trailer]),
    entries: packEntries(listed),
  };
}

/** The header did not fit in the tail given: read this many bytes from the end of the pack and call again. */
export interface NeedMore {
  need: number;
}

/**
 * Parses a pack's header from its last bytes (`tail`: the whole pack, or its last N bytes).
 * `packSize` is the whole pack's size (from the listing or a HEAD), used to tell a truncated or
 * padded pack from a good one. Returns `{ need }` when the tail is too short for the header.
 * Throws StrataError('corrupt') naming `name` when the pack is damaged.
 */
export function readPackHeader(
  tail: Buffer,
  codec: BlobCodec,
  packSize: number,
  name = 'pack',
): PackEntry[] | NeedMore {
  const truncated = (why: string): StrataError =>
    new StrataError(
      'corrupt',
      `${name} is truncated or damaged: ${why}`,
      'run a verify; the snapshots that use it need this content backed up again',
    );
  if (packSize < 4 || tail.length < 4) throw truncated(`only ${packSize} bytes, too short for a pack`);
  if (tail.length > packSize)
    throw new StrataError('internal', `${name}: tail of ${tail.length} bytes > pack size ${packSize}`);
  const headerLength = tail.readUInt32BE(tail.length - 4);
  if (headerLength + 4 > packSize) {
    throw truncated(`its trailer announces a ${headerLength}-byte header but the pack is only ${packSize} bytes`);
  }
  if (headerLength + 4 > tail.length) return { need: headerLength + 4 };
  const encoded = tail.subarray(tail.length - 4 - headerLength, tail.length - 4);
  let plain: Buffer;
  try {
    plain = codec.decode(encoded, 'pack-header', PACK_HEADER_CONTEXT);
  } catch (err) {
    if (err instanceof StrataError && err.code !== 'corrupt') throw err; // a wrong key is not damage
    throw truncated(`its header does not decode (${err instanceof Error ? err.message : String(err)})`);
  }
  if (plain.length < PREAMBLE || !plain.subarray(0, 4).equals(MAGIC)) throw truncated('its header has no pack magic');
  const version = plain.readUInt8(4);
  if (version > VERSION) {
    throw new StrataError(
      'format-too-new',
      `${name} was written by a newer Strata (pack format ${version})`,
      'update Strata to read this vault',
    );
  }
  const count = plain.readUInt32BE(6);
  if (plain.length !== PREAMBLE + count * ENTRY)
    throw truncated(`its header lists ${count} blobs in ${plain.length} bytes`);
  const entries: PackEntry[] = new Array<PackEntry>(count);
  const blobRegion = packSize - 4 - headerLength;
  let offset = 0;
  for (let i = 0, at = PREAMBLE; i < count; i++, at += ENTRY) {
    const kind = KINDS[plain.readUInt8(at + 32)];
    if (!kind) throw truncated(`blob ${i} has unknown kind ${plain.readUInt8(at + 32)}`);
    const length = plain.readUIntBE(at + 33, 6);
    entries[i] = {
      id: plain.toString('hex', at, at + 32),
      kind,
      offset,
      length,
      rawLength: plain.readUIntBE(at + 39, 6),
    };
    offset += length;
  }
  if (offset !== blobRegion) {
    throw truncated(`its header accounts for ${offset} bytes of blobs but ${blobRegion} precede it`);
  }
  return entries;
}

export function isNeedMore(r: PackEntry[] | NeedMore): r is NeedMore {
  return !Array.isArray(r);
}
