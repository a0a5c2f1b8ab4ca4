/**
 * Index files say which pack holds each blob, so a reader needs one small download per index file
 * instead of one per pack. They are named by the SHA-256 of their stored bytes (index/<sha256>), so
 * two machines never overwrite each other's, and a file whose bytes do not match its name is damaged.
 *
 * Index plaintext (before codec.encode(…, 'index', '')), integers big-endian:
 *   magic "SIX1" (4) | version u8 = 1 | flags u8 = 0 | packCount u32
 *   per pack: packId (32 raw bytes) | blobCount u32
 *             blobCount × 51 bytes: id (32) | kind u8 (0 data, 1 tree) | offset u48 | length u48 | rawLength u48
 *
 * Packs carry their own headers, so lost or damaged index files cost only time:
 * rebuildIndexFromPacks reads every pack's header instead.
 */
import pLimit from 'p-limit';
import { StrataError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import { BlobIndex } from './blob-index.js';
import type { BlobCodec } from './codec.js';
import type { IndexCache } from './index-cache.js';
import { fetchPackHeader, readObject } from './pack-fetch.js';
import { assertBlobId, packIdOfKey, sha256Hex, type PackBlobKind } from './pack-format.js';

export { BlobIndex, type BlobLocation } from './blob-index.js';

export interface IndexedBlob {
  id: string;
  kind?: PackBlobKind;
  offset: number;
  length: number;
  rawLength: number;
}

export interface IndexedPack {
  packId: string;
  blobs: IndexedBlob[];
}

/** An object that could not be read; the rest loaded without it. */
export interface DamagedObject {
  key: string;
  error: StrataError;
}

export interface IndexLoad {
  index: BlobIndex;
  /** Objects read (index files, or packs for a rebuild). */
  read: number;
  damaged: DamagedObject[];
}

export const INDEX_PREFIX = 'index/';
/** The codec context of index files: fixed, since a file cannot name itself by its own hash. */
export const INDEX_CONTEXT = '';

const MAGIC = Buffer.from('SIX1', 'latin1');
const VERSION = 1;
const PREAMBLE = 4 + 1 + 1 + 4;
const PACK_HEAD = 32 + 4;
const ENTRY = 32 + 1 + 6 + 6 + 6;
const KIND_CODES: Record<PackBlobKind, number> = { data: 0, tree: 1 };
const KINDS: PackBlobKind[] = ['data', 'tree'];

export function encodeIndex(packs: IndexedPack[]): Buffer {
  const size = packs.reduce((n, p) => n + PACK_HEAD + p.blobs.length * ENTRY, PREAMBLE);
  const out = Buffer.alloc(size);
  MAGIC.copy(out, 0);
  out.writeUInt8(VERSION, 4);
  out.writeUInt8(0, 5);
  out.writeUInt32BE(packs.length, 6);
  let at = PREAMBLE;
  for (const p of packs) {
    assertBlobId(p.packId, 'pack id');
    out.write(p.packId, at, 32, 'hex');
    out.writeUInt32BE(p.blobs.length, at + 32);
    at += PACK_HEAD;
    for (const b of p.blobs) {
      assertBlobId(b.id);
      out.write(b.id, at, 32, 'hex');
      out.writeUInt8(KIND_CODES[b.kind ?? 'data'], at + 32);
      out.writeUIntBE(b.offset, at + 33, 6);
      out.writeUIntBE(b.length, at + 39, 6);
      out.writeUIntBE(b.rawLength, at + 45, 6);
      at += ENTRY;
    }
  }
  return out;
}

/** Parses an index file's plaintext; throws StrataError('corrupt') naming `name` when it is malformed. */
export function decodeIndex(plain: Buffer, name = 'index file'): IndexedPack[] {
  const bad = (why: string): StrataError =>
    new StrataError('corrupt', `${name} is damaged: ${why}`, 'run a verify; the index can be rebuilt from the packs');
  if (plain.length < PREAMBLE || !plain.subarray(0, 4).equals(MAGIC)) throw bad('no index magic');
  const version = plain.readUInt8(4);
  if (version > VERSION) {
    throw new StrataError(
      'format-too-new',
      `${name} was written by a newer Strata (index format ${version})`,
      'update Strata to read this vault',
    );
  }
  const packCount = plain.readUInt32BE(6);
  const packs: IndexedPack[] = [];
  let at = PREAMBLE;
  for (let p = 0; p < packCount; p++) {
    if (at + PACK_HEAD > plain.length) throw bad(`it ends inside pack ${p} of ${packCount}`);
    const packId = plain.toString('hex', at, at + 32);
    const count = plain.readUInt32BE(at + 32);
    at += PACK_HEAD;
    if (at + count * ENTRY > plain.length) throw bad(`it ends inside the blobs of pack ${packId}`);
    const blobs: IndexedBlob[] = new Array<IndexedBlob>(count);
    for (let i = 0; i < count; i++, at += ENTRY) {
      const kind = KINDS[plain.readUInt8(at + 32)];
      if (!kind) throw bad(`a blob of pack ${packId} has unknown kind ${plain.readUInt8(at + 32)}`);
      blobs[i] = {
        id: plain.toString('hex', at, at + 32),
        kind,
        offset: plain.readUIntBE(at + 33, 6),
        length: plain.readUIntBE(at + 39, 6),
        rawLength: plain.readUIntBE(at + 45, 6),
      };
    }
    packs.push({ packId, blobs });
  }
  if (at !== plain.length) throw bad(`${plain.length - at} bytes follow the last pack`);
  return packs;
}

/** Stores one index file listing `packs`; returns its key, or undefined when there is nothing to list. */
export async function writeIndex(
  dest: Destination,
  codec: BlobCodec,
  packs: IndexedPack[],
  /** Counts what was stored, for a run's figures. */
  tally?: { files: number; bytes: number },
): Promise<string | undefined> {
  if (packs.length === 0) return undefined;
  const stored = codec.encode(encodeIndex(packs), 'index', INDEX_CONTEXT);
  const sha256 = sha256Hex(stored);
  const key = `${INDEX_PREFIX}${sha256}`;
  await dest.putBuffer(key, stored, sha256);
  if (tally) {
    tally.files++;
    tally.bytes += stored.length;
  }
  return key;
}

/** Reads and checks one index file (from this machine's cache when it holds a copy). */
export async function readIndexFile(
  dest: Destination,
  codec: BlobCodec,
  key: string,
  cache?: IndexCache,
): Promise<IndexedPack[]> {
  const name = `index file ${key} in ${dest.label}`;
  const sha256 = key.slice(INDEX_PREFIX.length);
  const cached = await cache?.get(sha256);
  const stored = cached ?? (await readObject(dest, key));
  if (sha256Hex(stored) !== sha256) {
    throw new StrataError(
      'corrupt',
      `${name} is damaged: its content does not match its name`,
      'run a verify; the index can be rebuilt from the packs',
    );
  }
  const plain = decodeOrCorrupt(codec, stored, name);
  if (!cached) await cache?.put(sha256, stored);
  // Parsed last, with no wait after: a caller adding the entries to an index right away holds one
  // file's entries as objects at a time, not one per file being read (~20 MB a file of 100,000 blobs).
  return decodeIndex(plain, name);
}

export interface ReadIndexOptions {
  /** Packs a collection has condemned: their blobs load as condemned (see BlobIndex.hasLive). */
  condemned?: ReadonlySet<string>;
  cache?: IndexCache;
  /** Sees each index file's packs as it loads (a collection needs every location, not one per blob). */
  onFile?: (key: string, packs: IndexedPack[]) => void;
  /**
   * False: the packs go to `onFile` only and the returned index stays empty (a collection keeps
   * its own compact summary; a BlobIndex of a million blobs would add ~100 MB to its peak).
   */
  fillIndex?: boolean;
}

/**
 * Every index file of the vault, loaded into one BlobIndex. A damaged file is reported in `damaged`
 * and the others still load; what it listed can be recovered with rebuildIndexFromPacks. A file
 * that vanishes while loading was replaced by a collection's compacted one: the listing is read again.
 */
export async function readAllIndexes(
  dest: Destination,
  codec: BlobCodec,
  index = new BlobIndex(),
  opts: ReadIndexOptions = {},
): Promise<IndexLoad & { keys: string[] }> {
  const loaded = new Set<string>();
  const damaged: DamagedObject[] = [];
  const limit = pLimit(Math.max(1, Math.min(dest.concurrency, 8)));
  for (let attempt = 1; ; attempt++) {
    const keys: string[] = [];
    for await (const o of dest.list(INDEX_PREFIX)) {
      if (/^index\/[0-9a-f]{64}$/.test(o.key)) keys.push(o.key);
    }
    let vanished = 0;
    await Promise.all(
      keys
        .filter((key) => !loaded.has(key))
        .map((key) =>
          limit(async () => {
            try {
              const packs = await readIndexFile(dest, codec, key, opts.cache);
              if (opts.fillIndex !== false) {
                for (const p of packs) index.addPack(p.packId, p.blobs, opts.condemned?.has(p.packId) ?? false);
              }
              opts.onFile?.(key, packs);
              loaded.add(key);
            } catch (err) {
              const damage = asDamage(err, `index file ${key}`);
              if (damage.code === 'not-found' && attempt < 3) vanished++;
              else damaged.push({ key, error: damage });
            }
          }),
        ),
    );
    if (vanished === 0) {
      const listed = new Set(keys.map((k) => k.slice(INDEX_PREFIX.length)));
      await opts.cache?.retain(listed);
      return { index, read: keys.length, damaged: sortByKey(damaged), keys: keys.filter((k) => loaded.has(k)) };
    }
  }
}

/** The recovery path when index files are lost or damaged: every pack's own header. */
export async function rebuildIndexFromPacks(
  dest: Destination,
  codec: BlobCodec,
  index = new BlobIndex(),
): Promise<IndexLoad & { packs: string[] }> {
  const packIds: { id: string; size: number }[] = [];
  for await (const o of dest.list('packs/')) {
    const id = packIdOfKey(o.key);
    if (id) packIds.push({ id, size: o.size });
  }
  const damaged: DamagedObject[] = [];
  const packs: string[] = [];
  const limit = pLimit(Math.max(1, Math.min(dest.concurrency, 4)));
  await Promise.all(
    packIds.map(({ id: packId, size }) =>
      limit(async () => {
        try {
          // The listing gave the size: no HEAD per pack.
          index.addPack(packId, await fetchPackHeader(dest, codec, packId, size));
          packs.push(packId);
        } catch (err) {
          damaged.push({ key: `packs/${packId.slice(0, 2)}/${packId}`, error: asDamage(err, `pack ${packId}`) });
        }
      }),
    ),
  );
  return { index, read: packIds.length, damaged: sortByKey(damaged), packs: packs.sort() };
}

function decodeOrCorrupt(codec: BlobCodec, stored: Buffer, name: string): Buffer {
  try {
    return codec.decode(stored, 'index', INDEX_CONTEXT);
  } catch (err) {
    if (err instanceof StrataError && err.code !== 'corrupt') throw err;
    throw new StrataError(
      'corrupt',
      `${name} is damaged: it does not decode (${err instanceof Error ? err.message : String(err)})`,
      'run a verify; the index can be rebuilt from the packs',
      { cause: err },
    );
  }
}

/** Damage is collected; anything else (no network, wrong passphrase, a bug) stops the load. */
function asDamage(err: unknown, what: string): StrataError {
  if (
    err instanceof StrataError &&
    (err.code === 'corrupt' || err.code === 'format-too-new' || err.code === 'not-found')
  ) {
    return err;
  }
  if (err instanceof StrataError) throw err;
  throw new StrataError('internal', `reading ${what}: ${err instanceof Error ? err.message : String(err)}`, undefined, {
    cause: err,
  });
}

function sortByKey(d: DamagedObject[]): DamagedObject[] {
  return d.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
