import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StrataError } from '../../shared/errors.js';
import { LocalDestination } from '../../electron/engine/destinations/local-destination.js';
import type { HeadOptions, ObjectInfo } from '../../electron/engine/destinations/types.js';
import { createCodec } from '../../electron/engine/vault/blob-codec.js';
import { BlobIndex, IdSet } from '../../electron/engine/vault/blob-index.js';
import {
  BlobReader,
  DEFAULT_READ_AHEAD,
  PackCache,
  readBlob,
  type SpanLoader,
} from '../../electron/engine/vault/blob-reader.js';
import type { BlobCodec, BlobKind } from '../../electron/engine/vault/codec.js';
import { readAllIndexes, rebuildIndexFromPacks, writeIndex } from '../../electron/engine/vault/index-file.js';
import { fetchPackHeader } from '../../electron/engine/vault/pack-fetch.js';
import {
  buildPack,
  isNeedMore,
  packIdOfKey,
  packKey,
  packTrailerBound,
  readPackHeader,
  type PackEntry,
} from '../../electron/engine/vault/pack-format.js';
import { PackBuilder } from '../../electron/engine/vault/pack-builder.js';
import { PackWriter, type WrittenPack } from '../../electron/engine/vault/pack-writer.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** A pack's name worked out from its bytes: each blob's last 16 bytes, then the trailer (pack-format.ts). */
function nameOfPack(bytes: Buffer, entries: readonly { offset: number; length: number }[]): string {
  const h = createHash('sha256');
  for (const e of entries) h.update(bytes.subarray(Math.max(e.offset, e.offset + e.length - 16), e.offset + e.length));
  const end = entries.length ? entries.at(-1)!.offset + entries.at(-1)!.length : 0;
  return h.update(bytes.subarray(end)).digest('hex');
}

/** BlobCodec.openData from a test codec's decode: the id check is what the contract adds. */
function openDataOf(codec: Omit<BlobCodec, 'openData'>): BlobCodec['openData'] {
  return async (stored, id) => {
    const plain = codec.decode(stored, 'data', id);
    if (codec.id(plain) !== id) throw new StrataError('corrupt', `data blob ${id}: its content does not match its id`);
    return plain;
  };
}

const withOpenData = (codec: Omit<BlobCodec, 'openData'>): BlobCodec => ({ ...codec, openData: openDataOf(codec) });

/** Stores plaintext as is: damage is caught only by the id check on read. */
const identityCodec: BlobCodec = withOpenData({
  encrypted: false,
  id: sha256,
  encode: (plain) => Buffer.from(plain),
  decode: (stored) => Buffer.from(stored),
});

/** Authenticates everything (AES-256-GCM, kind and context as AAD), like a real sealed vault. */
function sealingCodec(): BlobCodec {
  const key = randomBytes(32);
  const idKey = randomBytes(32);
  const aad = (kind: BlobKind, context: string) => Buffer.from(`${kind}|${context}`);
  return withOpenData({
    encrypted: true,
    id: (plain) => createHmac('sha256', idKey).update(plain).digest('hex'),
    encode(plain, kind, context) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(kind, context));
      const body = Buffer.concat([c.update(plain), c.final()]);
      return Buffer.concat([iv, body, c.getAuthTag()]);
    },
    decode(stored, kind, context) {
      try {
        const d = createDecipheriv('aes-256-gcm', key, stored.subarray(0, 12)).setAAD(aad(kind, context));
        d.setAuthTag(stored.subarray(stored.length - 16));
        return Buffer.concat([d.update(stored.subarray(12, stored.length - 16)), d.final()]);
      } catch {
        throw new StrataError('corrupt', `${kind} ${context} failed authentication`);
      }
    },
  });
}

const codecs: [string, () => BlobCodec, boolean][] = [
  ['identity test codec', () => identityCodec, false],
  ['sealing test codec', sealingCodec, true],
  ['real codec, unencrypted', () => createCodec(null), true],
  [
    'real codec, encrypted',
    () => createCodec({ encryptionKey: randomBytes(32), idKey: randomBytes(32), keyId: '0123456789abcdef' }),
    true,
  ],
  // How a restore's worker thread opens blobs: inflating on its own thread.
  [
    'real codec, encrypted, inflating here',
    () =>
      createCodec(
        { encryptionKey: randomBytes(32), idKey: randomBytes(32), keyId: '0123456789abcdef' },
        { inflateHere: true },
      ),
    true,
  ],
];

/** A local-disk destination that counts PUTs and uploads in flight, optionally slowly. */
class CountingDestination extends LocalDestination {
  puts: string[] = [];
  /** The sha256 each put was given to record. */
  shas: (string | undefined)[] = [];
  inFlight = 0;
  maxInFlight = 0;
  delayMs = 0;
  failWith: Error | undefined;

  override async putBuffer(key: string, body: Buffer, sha256?: string): Promise<void> {
    this.shas.push(sha256);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.failWith) throw this.failWith;
      this.puts.push(key);
      await super.putBuffer(key, body);
    } finally {
      this.inFlight--;
    }
  }
}

const dirs: string[] = [];
async function newDest(): Promise<CountingDestination> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-packs-'));
  dirs.push(dir);
  return new CountingDestination(dir);
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

function blobsOf(codec: BlobCodec, n: number, min: number, max: number): { id: string; plain: Buffer }[] {
  return Array.from({ length: n }, () => {
    const plain = randomBytes(min + Math.floor(Math.random() * (max - min + 1)));
    return { id: codec.id(plain), plain };
  });
}

function sortedEntries(index: BlobIndex): [string, unknown][] {
  return [...index.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

async function expectCorrupt(p: Promise<unknown>, pattern: RegExp): Promise<StrataError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StrataError);
  expect((err as StrataError).code).toBe('corrupt');
  expect((err as StrataError).message).toMatch(pattern);
  expect((err as StrataError).hint).toBeTruthy();
  return err as StrataError;
}

describe.each(codecs)('packs and indexes with the %s', (_name, makeCodec, authenticates) => {
  it('packs 10,000 small blobs into a handful of PUTs and reads every one back', async () => {
    const codec = makeCodec();
    const dest = await newDest();
    const blobs = blobsOf(codec, 10_000, 100, 2000);
    const writer = new PackWriter({ dest, codec, targetSize: 2 * 1024 * 1024 });
    for (const b of blobs) expect(await writer.add(b.id, b.plain)).toBe(true);
    const packs = await writer.flush();
    expect(dest.puts.length).toBe(packs.length);
    expect(packs.length).toBeGreaterThanOrEqual(5);
    expect(packs.length).toBeLessThanOrEqual(8);
    expect(writer.stats).toMatchObject({ added: 10_000, skipped: 0, packs: packs.length });
    expect(packs.flatMap((p) => p.blobs).length).toBe(10_000);
    for (const p of packs) expect(p.size).toBeLessThanOrEqual(2 * 1024 * 1024 + 200_000);

    const indexKey = await writeIndex(dest, codec, packs);
    expect(indexKey).toMatch(/^index\/[0-9a-f]{64}$/);
    const { index, damaged, read } = await readAllIndexes(dest, codec);
    expect({ read, damaged }).toEqual({ read: 1, damaged: [] });
    expect(index.size).toBe(10_000);

    const reader = new BlobReader(dest, codec, index);
    for (const b of blobs) expect((await reader.read(b.id)).equals(b.plain)).toBe(true);

    // Lost index: the packs' own headers give the same map.
    await dest.delete([indexKey!]);
    expect((await readAllIndexes(dest, codec)).index.size).toBe(0);
    const rebuilt = await rebuildIndexFromPacks(dest, codec);
    expect(rebuilt.damaged).toEqual([]);
    expect(rebuilt.packs).toEqual(packs.map((p) => p.packId).sort());
    expect(sortedEntries(rebuilt.index)).toEqual(sortedEntries(index));
  });

  it('stores a blob once: repeats in one writer and blobs the vault has are skipped', async () => {
    const codec = makeCodec();
    const dest = await newDest();
    const [a, b, c] = blobsOf(codec, 3, 50, 50);
    const writer = new PackWriter({ dest, codec, has: (id) => id === c!.id });
    expect(await writer.add(a!.id, a!.plain)).toBe(true);
    expect(await writer.add(a!.id, a!.plain)).toBe(false);
    expect(await writer.add(c!.id, c!.plain)).toBe(false);
    expect(await writer.add(b!.id, b!.plain)).toBe(true);
    const packs = await writer.flush();
    expect(packs).toHaveLength(1);
    expect(packs[0]!.blobs.map((x) => x.id)).toEqual([a!.id, b!.id]);
    expect(writer.stats).toMatchObject({ added: 2, skipped: 2, packs: 1 });
    expect(await writer.flush()).toEqual([]);
    expect(dest.puts).toHaveLength(1);
  });

  it("names a pack by every blob's tag and its header: a retry keeps the name, any other pack gets another", () => {
    const codec = makeCodec();
    const plains = blobsOf(codec, 20, 100, 3000);
    const sealAll = () =>
      plains.map((b) => ({ id: b.id, encoded: codec.encode(b.plain, 'data', b.id), rawLength: b.plain.length }));
    const blobs = sealAll();
    const a = buildPack(blobs, codec);
    expect(a.packId).toBe(nameOfPack(a.bytes, a.entries));
    expect(a.packId).not.toBe(sha256(a.bytes)); // not a hash of every byte
    // The same blobs sealed again (fresh nonces) and the same blobs in a new header: other names.
    // Sealed again: the same bytes where sealing is deterministic (a retry), else fresh nonces and a new name.
    const p0 = plains[0]!;
    if (!codec.encode(p0.plain, 'data', p0.id).equals(codec.encode(p0.plain, 'data', p0.id))) {
      expect(buildPack(sealAll(), codec).packId).not.toBe(a.packId);
      expect(buildPack(blobs, codec).packId).not.toBe(a.packId);
    } else expect(buildPack(sealAll(), codec).packId).toBe(a.packId);
    // One blob's tag different, the rest and the header's plaintext the same: another name.
    const [first, ...rest] = blobs;
    const flipped = Buffer.from(first!.encoded);
    flipped[flipped.length - 1]! ^= 1;
    const changed = buildPack([{ ...first!, encoded: flipped }, ...rest], codec);
    expect(changed.packId).not.toBe(a.packId);
    // A builder filling in place names the same bytes the same way buildPack does.
    const builder = new PackBuilder(Buffer.alloc(1024 * 1024));
    for (const b of blobs) builder.append(b.id, b.encoded, b.rawLength);
    const sealed = builder.seal(codec);
    expect(sealed.packId).toBe(nameOfPack(sealed.bytes, sealed.entries));
  });

  it('fills a pack in place into the same bytes as buildPack, and reuses its buffer', async () => {
    const codec = makeCodec();
    const blobs = blobsOf(codec, 50, 100, 3000).map((b) => ({
      id: b.id,
      encoded: codec.encode(b.plain, 'data', b.id),
      rawLength: b.plain.length,
    }));
    const builder = new PackBuilder(Buffer.alloc(1024 * 1024));
    for (const b of blobs) {
      expect(builder.fits(b.encoded.length)).toBe(true);
      builder.append(b.id, b.encoded, b.rawLength);
    }
    const sealed = builder.seal(codec);
    expect(sealed.bytes.buffer).toBe(builder.buffer.buffer);
    expect(sealed.packId).toBe(nameOfPack(sealed.bytes, sealed.entries)); // named as the blobs came in
    expect(builder.count).toBe(0);
    const reference = buildPack(blobs, codec);
    expect(sealed.entries).toEqual(reference.entries);
    const headers = readPackHeader(sealed.bytes, codec, sealed.bytes.length);
    expect(headers).toEqual(reference.entries);
    expect(sealed.bytes.subarray(0, reference.entries.at(-1)!.offset)).toEqual(
      reference.bytes.subarray(0, reference.entries.at(-1)!.offset),
    );
    // The next pack starts a fresh name.
    builder.append(blobs[0]!.id, blobs[0]!.encoded, blobs[0]!.rawLength);
    const next = builder.seal(codec);
    expect(next.packId).toBe(nameOfPack(next.bytes, next.entries));
    // A pack never outgrows its buffer, header included.
    const small = new PackBuilder(Buffer.alloc(2 * blobs[0]!.encoded.length + packTrailerBound(2)));
    small.append(blobs[0]!.id, blobs[0]!.encoded, blobs[0]!.rawLength);
    expect(small.fits(blobs[0]!.encoded.length)).toBe(true);
    expect(small.fits(blobs[0]!.encoded.length + 1)).toBe(false);
  });

  it('with an index, forgets the ids of packs once indexed, so memory does not grow with the run', async () => {
    const codec = makeCodec();
    const dest = await newDest();
    const known = new Set<string>();
    const writer = new PackWriter({
      dest,
      codec,
      targetSize: 10_000,
      has: (id) => known.has(id),
      onPack: (p) => p.blobs.forEach((b) => known.add(b.id)),
    });
    const blobs = blobsOf(codec, 40, 500, 1500);
    for (const b of blobs) expect(await writer.add(b.id, b.plain)).toBe(true);
    // Still being filled or uploaded: the writer itself knows them.
    expect(await writer.add(blobs.at(-1)!.id, blobs.at(-1)!.plain)).toBe(false);
    const packs = await writer.flush();
    expect(packs.length).toBeGreaterThanOrEqual(3);
    for (const b of blobs) expect(await writer.add(b.id, b.plain)).toBe(false);
    // Indexed: the index alone answers (a collection may have condemned the blob since).
    known.delete(blobs[0]!.id);
    expect(await writer.add(blobs[0]!.id, blobs[0]!.plain)).toBe(true);
    const again = await writer.flush();
    expect(again.flatMap((p) => p.blobs.map((b) => b.id))).toEqual([blobs[0]!.id]);
    const index = new BlobIndex();
    for (const p of [...packs, ...again]) index.addPack(p.packId, p.blobs);
    const reader = new BlobReader(dest, codec, index);
    for (const b of blobs) expect((await reader.read(b.id)).equals(b.plain)).toBe(true);
  });

  it('readAllIndexes with fillIndex false hands every pack to onFile and leaves the index empty', async () => {
    const codec = makeCodec();
    const dest = await newDest();
    const writer = new PackWriter({ dest, codec, targetSize: 10_000 });
    for (const b of blobsOf(codec, 30, 500, 1500)) await writer.add(b.id, b.plain);
    const packs = await writer.flush();
    await writeIndex(dest, codec, packs);
    const seen: string[] = [];
    const load = await readAllIndexes(dest, codec, new BlobIndex(), {
      fillIndex: false,
      onFile: (_key, listed) => listed.forEach((p) => seen.push(p.packId)),
    });
    expect(load.index.size).toBe(0);
    expect(load.damaged).toEqual([]);
    expect(seen.sort()).toEqual(packs.map((p) => p.packId).sort());
  });

  it('gives a blob larger than the target a pack of its own', async () => {
    const codec = makeCodec();
    const dest = await newDest();
    const [s1, big, s2] = [
      ...blobsOf(codec, 1, 1000, 1000),
      ...blobsOf(codec, 1, 200_000, 200_000),
      ...blobsOf(codec, 1, 1000, 1000),
    ];
    const writer = new PackWriter({ dest, codec, targetSize: 64 * 1024 });
    for (const b of [s1!, big!, s2!]) await writer.add(b.id, b.plain);
    const packs = await writer.flush();
    const layout = packs.map((p) => p.blobs.map((x) => x.id)).sort((x, y) => x.length - y.length);
    expect(layout).toEqual([[big!.id], [s1!.id, s2!.id]]);
    const index = new BlobIndex();
    for (const p of packs) index.addPack(p.packId, p.blobs);
    expect((await readBlob(dest, codec, index, big!.id)).equals(big!.plain)).toBe(true);
  });

  it('indexes: several files load into one map; a damaged file is reported while the others load', async () => {
    const codec = makeCodec();
    const dest = await newDest();
    const writer = new PackWriter({ dest, codec, targetSize: 10_000 });
    const blobs = blobsOf(codec, 60, 500, 1500);
    for (const b of blobs) await writer.add(b.id, b.plain);
    const packs = await writer.flush();
    expect(packs.length).toBeGreaterThanOrEqual(3);
    const keys = [
      await writeIndex(dest, codec, packs.slice(0, 1)),
      await writeIndex(dest, codec, packs.slice(1, 2)),
      await writeIndex(dest, codec, packs.slice(2)),
    ];
    expect(await writeIndex(dest, codec, [])).toBeUndefined();
    const all = await readAllIndexes(dest, codec);
    expect(all.damaged).toEqual([]);
    expect(all.index.size).toBe(60);
    for (const p of packs)
      for (const e of p.blobs) expect(all.index.get(e.id)).toEqual({ ...e, id: undefined, packId: p.packId });

    // Damage the second: flip one byte in the middle.
    const path = join(dest.root, ...keys[1]!.split('/'));
    const bytes = await readFile(path);
    bytes[bytes.length >> 1]! ^= 0x40;
    await writeFile(path, bytes);
    const partial = await readAllIndexes(dest, codec);
    expect(partial.damaged.map((d) => d.key)).toEqual([keys[1]]);
    expect(partial.damaged[0]!.error.code).toBe('corrupt');
    expect(partial.damaged[0]!.error.message).toContain(keys[1]!);
    expect(partial.index.size).toBe(60 - packs[1]!.blobs.length);
    if (authenticates) {
      // Even renamed to match its new bytes, a tampered index does not decode.
      await dest.delete([keys[1]!]);
      const renamed = `index/${sha256(bytes)}`;
      await dest.putBuffer(renamed, bytes);
      const again = await readAllIndexes(dest, codec);
      expect(again.damaged.map((d) => d.key)).toEqual([renamed]);
    }
  });

  it('a flipped byte in a pack: the blob it hits is corrupt, never wrong bytes; its neighbours still read', async () => {
    const codec = makeCodec();
    const dest = await newDest();
    const blobs = blobsOf(codec, 20, 300, 300);
    const writer = new PackWriter({ dest, codec });
    for (const b of blobs) await writer.add(b.id, b.plain);
    const [pack] = await writer.flush();
    const index = new BlobIndex();
    index.addPack(pack!.packId, pack!.blobs);
    const hit = pack!.blobs[7]!;
    const path = join(dest.root, ...packKey(pack!.packId).split('/'));
    const bytes = await readFile(path);
    bytes[hit.offset + (hit.length >> 1)]! ^= 0x01;
    await writeFile(path, bytes);

    const reader = new BlobReader(dest, codec, index);
    await expectCorrupt(reader.read(hit.id), new RegExp(`blob ${hit.id} in pack ${packKey(pack!.packId)}`));
    for (const b of blobs) if (b.id !== hit.id) expect((await reader.read(b.id)).equals(b.plain)).toBe(true);
  });

  it('a truncated pack is reported clearly when read and when rebuilding', async () => {
    const codec = makeCodec();
    const dest = await newDest();
    const blobs = blobsOf(codec, 10, 1000, 1000);
    const writer = new PackWriter({ dest, codec });
    for (const b of blobs) await writer.add(b.id, b.plain);
    const [pack] = await writer.flush();
    const index = new BlobIndex();
    index.addPack(pack!.packId, pack!.blobs);
    const last = pack!.blobs[9]!;
    await truncate(join(dest.root, ...packKey(pack!.packId).split('/')), last.offset + 10);

    await expectCorrupt(readBlob(dest, codec, index, last.id), /truncated/);
    expect((await readBlob(dest, codec, index, blobs[0]!.id)).equals(blobs[0]!.plain)).toBe(true);
    const rebuilt = await rebuildIndexFromPacks(dest, codec);
    expect(rebuilt.index.size).toBe(0);
    expect(rebuilt.damaged.map((d) => d.key)).toEqual([packKey(pack!.packId)]);
    expect(rebuilt.damaged[0]!.error.code).toBe('corrupt');
    expect(rebuilt.damaged[0]!.error.message).toMatch(/truncated or damaged/);
  });

  it.runIf(authenticates)(
    'a flipped byte in a pack header: rebuild reports that pack and loads the others',
    async () => {
      const codec = makeCodec();
      const dest = await newDest();
      const writer = new PackWriter({ dest, codec, targetSize: 5000 });
      for (const b of blobsOf(codec, 8, 2000, 2000)) await writer.add(b.id, b.plain);
      const packs = await writer.flush();
      expect(packs.length).toBe(4);
      const victim = packs[2]!;
      const path = join(dest.root, ...packKey(victim.packId).split('/'));
      const bytes = await readFile(path);
      bytes[bytes.length - 20]! ^= 0x80;
      await writeFile(path, bytes);
      const rebuilt = await rebuildIndexFromPacks(dest, codec);
      expect(rebuilt.damaged.map((d) => d.key)).toEqual([packKey(victim.packId)]);
      expect(rebuilt.damaged[0]!.error.message).toMatch(/header does not decode/);
      expect(rebuilt.index.size).toBe(8 - victim.blobs.length);
    },
  );

  it('two writers storing the same blobs at once: both succeed and every blob reads', async () => {
    const codec = makeCodec();
    const dest = await newDest();
    const blobs = blobsOf(codec, 300, 100, 3000);
    const write = async () => {
      const w = new PackWriter({ dest, codec, targetSize: 100_000 });
      for (const b of blobs) await w.add(b.id, b.plain);
      const packs = await w.flush();
      await writeIndex(dest, codec, packs);
      return packs;
    };
    const [p1, p2] = await Promise.all([write(), write()]);
    const { index, damaged } = await readAllIndexes(dest, codec);
    expect(damaged).toEqual([]);
    expect(index.size).toBe(300);
    // Deterministic choice: the smaller pack id wins whichever index loaded first.
    const first = new Map(p1!.flatMap((p) => p.blobs.map((b) => [b.id, p.packId] as const)));
    const second = new Map(p2!.flatMap((p) => p.blobs.map((b) => [b.id, p.packId] as const)));
    for (const b of blobs) {
      const a = first.get(b.id)!;
      const c = second.get(b.id)!;
      expect(index.get(b.id)!.packId).toBe(a < c ? a : c);
      expect((await readBlob(dest, codec, index, b.id)).equals(b.plain)).toBe(true);
    }
  });
  it('a blob in two packs still reads when its preferred pack is missing or damaged', async () => {
    const codec = makeCodec();
    const dest = await newDest();
    const blobs = blobsOf(codec, 12, 500, 900);
    const write = async () => {
      const w = new PackWriter({ dest, codec });
      for (const b of blobs) await w.add(b.id, b.plain);
      // A second copy of the same blobs must be a different pack object: pad it with one more blob.
      await w.add(
        ...((): [string, Buffer] => {
          const extra = randomBytes(64);
          return [codec.id(extra), extra];
        })(),
      );
      return (await w.flush())[0]!;
    };
    const [a, b] = [await write(), await write()];
    expect(a.packId).not.toBe(b.packId);
    const index = new BlobIndex();
    index.addPack(a.packId, a.blobs);
    index.addPack(b.packId, b.blobs);
    const [preferred, other] = a.packId < b.packId ? [a, b] : [b, a];
    const hit = blobs[3]!;
    expect(index.locations(hit.id).map((l) => l.packId)).toEqual([preferred.packId, other.packId]);

    // Damaged in the preferred pack: the other copy is read, never wrong bytes.
    const path = join(dest.root, ...packKey(preferred.packId).split('/'));
    const bytes = await readFile(path);
    const at = preferred.blobs.find((x) => x.id === hit.id)!;
    bytes[at.offset + (at.length >> 1)]! ^= 0x01;
    await writeFile(path, bytes);
    expect((await readBlob(dest, codec, index, hit.id)).equals(hit.plain)).toBe(true);

    // The preferred pack gone altogether (a collection deleted it while an index still named it).
    await rm(path);
    const reader = new BlobReader(dest, codec, index);
    for (const x of blobs) expect((await reader.read(x.id)).equals(x.plain)).toBe(true);

    // Both copies gone: the first failure is reported.
    await rm(join(dest.root, ...packKey(other.packId).split('/')));
    const err = await readBlob(dest, codec, index, hit.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StrataError);
    expect((err as StrataError).code).toBe('not-found');
    expect((err as StrataError).message).toContain(packKey(preferred.packId));
  });
});

describe('pack format', () => {
  it('names a pack by its blob tags and header: the same pack stored twice is one object', async () => {
    const dest = await newDest();
    const blobs = blobsOf(identityCodec, 5, 10, 100).map((b) => ({
      id: b.id,
      encoded: b.plain,
      rawLength: b.plain.length,
    }));
    const a = buildPack(blobs, identityCodec);
    const b = buildPack(blobs, identityCodec);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(a.packId).toBe(nameOfPack(a.bytes, a.entries));
    expect(b.packId).toBe(a.packId);
    expect(packKey(a.packId)).toBe(`packs/${a.packId.slice(0, 2)}/${a.packId}`);
    expect(packIdOfKey(packKey(a.packId))).toBe(a.packId);
    expect(packIdOfKey(`packs/00/${a.packId}`)).toBe(a.packId.startsWith('00') ? a.packId : undefined);

    // Two writers with the same blobs in the same order (deterministic codec) upload the same key.
    for (let i = 0; i < 2; i++) {
      const w = new PackWriter({ dest, codec: identityCodec });
      for (const x of blobs) await w.add(x.id, x.encoded);
      expect((await w.flush())[0]!.packId).toBe(a.packId);
    }
    expect(dest.puts).toEqual([packKey(a.packId), packKey(a.packId)]);
    expect(dest.shas).toEqual([undefined, undefined]); // a pack's name is not a SHA-256 of its bytes
    const listed: string[] = [];
    for await (const o of dest.list('packs/')) listed.push(o.key);
    expect(listed).toEqual([packKey(a.packId)]);
    expect((await readFile(join(dest.root, ...packKey(a.packId).split('/')))).equals(a.bytes)).toBe(true);
  });

  it('reads a header from a short tail, asking for exactly the bytes it needs when the header is longer', async () => {
    const codec = sealingCodec();
    const blobs = blobsOf(codec, 2000, 1, 4).map((b) => ({
      id: b.id,
      encoded: codec.encode(b.plain, 'data', b.id),
      rawLength: b.plain.length,
    }));
    const { packId, bytes, entries } = buildPack(blobs, codec);
    const tail = bytes.subarray(bytes.length - 64 * 1024);
    const first = readPackHeader(tail, codec, bytes.length);
    expect(isNeedMore(first)).toBe(true);
    const need = (first as { need: number }).need;
    expect(need).toBeGreaterThan(64 * 1024);
    expect(need).toBe(4 + 2000 * 45 + 10 + 28);
    const second = readPackHeader(bytes.subarray(bytes.length - need), codec, bytes.length) as PackEntry[];
    expect(second).toEqual(entries);
    expect(readPackHeader(bytes, codec, bytes.length)).toEqual(entries);

    // Through a destination: the second step happens inside fetchPackHeader.
    const dest = await newDest();
    await dest.putBuffer(packKey(packId), bytes);
    expect(await fetchPackHeader(dest, codec, packId)).toEqual(entries);
  });

  it('refuses damaged headers and trailers clearly', () => {
    const codec = sealingCodec();
    const blobs = blobsOf(codec, 3, 10, 10).map((b) => ({
      id: b.id,
      encoded: codec.encode(b.plain, 'data', b.id),
      rawLength: 10,
    }));
    const { bytes } = buildPack(blobs, codec);
    const cases: [Buffer, RegExp][] = [
      [bytes.subarray(0, bytes.length - 1), /truncated or damaged/],
      [Buffer.concat([bytes, Buffer.alloc(3)]), /truncated or damaged/],
      [Buffer.concat([Buffer.alloc(5), bytes]), /header accounts for 114 bytes of blobs but 119 precede it/],
      [Buffer.from([0, 0, 0]), /too short/],
    ];
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 10]! ^= 1;
    cases.push([flipped, /header does not decode/]);
    for (const [buf, pattern] of cases) {
      let err: unknown;
      try {
        readPackHeader(buf, codec, buf.length, 'pack P');
      } catch (e) {
        err = e;
      }
      expect(err, pattern.source).toBeInstanceOf(StrataError);
      expect((err as StrataError).code).toBe('corrupt');
      expect((err as StrataError).message).toMatch(/^pack P /);
      expect((err as StrataError).message).toMatch(pattern);
    }
    expect(() => buildPack([], codec)).toThrow(/at least one blob/);
    expect(() => packKey('nope')).toThrow(StrataError);
  });
});

describe('PackWriter uploads', () => {
  it('keeps at most maxUploads packs in flight, holding add back meanwhile', async () => {
    const dest = await newDest();
    dest.delayMs = 20;
    const writer = new PackWriter({ dest, codec: identityCodec, targetSize: 4096, maxUploads: 2 });
    const blobs = blobsOf(identityCodec, 100, 1024, 1024);
    const seen: WrittenPack[] = [];
    const w2 = new PackWriter({ dest, codec: identityCodec, targetSize: 4096, onPack: (p) => seen.push(p) });
    const start = Date.now();
    for (const b of blobs) await writer.add(b.id, b.plain);
    // 100 KiB in 4 KiB packs: ~33 packs at 20 ms, two at a time: add must have waited for most of them.
    expect(Date.now() - start).toBeGreaterThan(150);
    const packs = await writer.flush();
    expect(dest.maxInFlight).toBe(2);
    expect(packs.length).toBeGreaterThanOrEqual(25);
    await w2.add(blobs[0]!.id, blobs[0]!.plain);
    await w2.flush();
    expect(seen).toHaveLength(1);
  });

  it('paces every pack before its upload with the bytes it sends (the bandwidth limit)', async () => {
    const dest = await newDest();
    const paced: number[] = [];
    let granted = 0;
    const started: number[] = [];
    const put = dest.putBuffer.bind(dest);
    dest.putBuffer = (key, body) => {
      started.push(granted);
      return put(key, body);
    };
    const writer = new PackWriter({
      dest,
      codec: identityCodec,
      targetSize: 4096,
      pace: async (n) => {
        paced.push(n);
        await new Promise((r) => setTimeout(r, 5));
        granted++;
      },
    });
    for (const b of blobsOf(identityCodec, 40, 1024, 1024)) await writer.add(b.id, b.plain);
    const packs = await writer.flush();
    expect(packs.length).toBeGreaterThan(5);
    expect([...paced].sort()).toEqual(packs.map((p) => p.size).sort());
    // The k-th upload starts only once k paces have been granted.
    expect(started.every((g, k) => g >= k + 1)).toBe(true);
  });

  it('a failed upload fails flush and every later add', async () => {
    const dest = await newDest();
    dest.failWith = new StrataError('network', 'the bucket went away');
    const writer = new PackWriter({ dest, codec: identityCodec, targetSize: 1000 });
    const blobs = blobsOf(identityCodec, 3, 800, 800);
    await writer.add(blobs[0]!.id, blobs[0]!.plain);
    await writer.add(blobs[1]!.id, blobs[1]!.plain); // seals the first pack, whose upload fails
    await expect(writer.flush()).rejects.toThrow('the bucket went away');
    await expect(writer.add(blobs[2]!.id, blobs[2]!.plain)).rejects.toThrow('the bucket went away');
  });

  it('encodes many adds at once, appends them in turn, and stores a blob added twice meanwhile once', async () => {
    const dest = await newDest();
    let encoding = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    // Compression on the thread pool, held until released: adds that do not wait for each other.
    const slow: BlobCodec = {
      ...identityCodec,
      async encodeParts(plain, kind, context) {
        encoding++;
        most = Math.max(most, encoding);
        await new Promise<void>((r) => gates.push(r));
        encoding--;
        return [identityCodec.encode(plain, kind, context)];
      },
    };
    const writer = new PackWriter({ dest, codec: slow, targetSize: 1 << 20 });
    const blobs = blobsOf(identityCodec, 4, 900, 900);
    const adds = blobs.map((b) => writer.add(b.id, b.plain));
    const again = writer.add(blobs[0]!.id, blobs[0]!.plain);
    await new Promise((r) => setTimeout(r, 10));
    expect(most).toBe(4);
    expect(await again).toBe(false); // skipped at once, while the first is still encoding
    gates.reverse().forEach((open) => open()); // finished in the opposite order
    expect(await Promise.all(adds)).toEqual([true, true, true, true]);
    const [pack] = await writer.flush();
    expect(pack!.blobs.map((b) => b.id).sort()).toEqual(blobs.map((b) => b.id).sort());
    expect(writer.stats).toMatchObject({ added: 4, skipped: 1, packs: 1 });
  });

  it('a blob that fails to encode fails the writer: a second add of it, skipped meanwhile, is not lost silently', async () => {
    const dest = await newDest();
    let fail!: (err: Error) => void;
    const broken: BlobCodec = {
      ...identityCodec,
      encodeParts: () => new Promise((_resolve, reject) => (fail = reject)),
    };
    const writer = new PackWriter({ dest, codec: broken, targetSize: 1 << 20 });
    const [blob] = blobsOf(identityCodec, 1, 900, 900);
    const first = writer.add(blob!.id, blob!.plain);
    expect(await writer.add(blob!.id, blob!.plain)).toBe(false); // skipped: the first is encoding it
    fail(new Error('compression failed'));
    await expect(first).rejects.toThrow('compression failed');
    await expect(writer.flush()).rejects.toThrow('compression failed');
    await expect(writer.add('another', Buffer.from('x'))).rejects.toThrow('compression failed');
  });

  it('stores blobs encoded elsewhere (a worker thread): knows says which to skip, from the moment one is claimed', async () => {
    const dest = await newDest();
    const stored = new Set<string>();
    const writer = new PackWriter({ dest, codec: identityCodec, targetSize: 1 << 20, has: (id) => stored.has(id) });
    const [a, b, c] = blobsOf(identityCodec, 3, 900, 900);
    stored.add(c!.id); // the vault already has c
    expect(writer.knows(a!.id)).toBe(false);
    expect(writer.knows(c!.id)).toBe(true);
    let deliver!: (parts: Buffer[]) => void;
    const first = writer.addEncoded(a!.id, new Promise((r) => (deliver = r)), a!.plain.length);
    // Claimed while its bytes are still on their way: a second file with the same chunk skips it.
    expect(writer.knows(a!.id)).toBe(true);
    expect(await writer.addEncoded(a!.id, Promise.resolve([Buffer.alloc(1)]), 1)).toBe(false);
    const encodedA = identityCodec.encode(a!.plain, 'data', a!.id);
    deliver([encodedA.subarray(0, 100), encodedA.subarray(100)]);
    expect(await first).toBe(true);
    expect(await writer.addEncoded(b!.id, Promise.resolve([identityCodec.encode(b!.plain, 'data', b!.id)]), 900)).toBe(
      true,
    );
    const [pack] = await writer.flush();
    expect(pack!.blobs.map((x) => x.id).sort()).toEqual([a!.id, b!.id].sort());
    const packBytes = await readFile(join(dest.root, packKey(pack!.packId)));
    expect(pack!.packId).toBe(
      nameOfPack(
        packBytes,
        [...pack!.blobs].sort((x, y) => x.offset - y.offset),
      ),
    );
    const index = new BlobIndex();
    index.addPack(pack!.packId, pack!.blobs);
    const reader = new BlobReader(dest, identityCodec, index);
    expect(await reader.read(a!.id)).toEqual(a!.plain);
    expect(writer.stats).toMatchObject({ added: 2, skipped: 1, packs: 1 });
  });

  it('a blob whose encoding elsewhere fails (its worker died) fails the writer', async () => {
    const dest = await newDest();
    const writer = new PackWriter({ dest, codec: identityCodec, targetSize: 1 << 20 });
    const [blob] = blobsOf(identityCodec, 1, 900, 900);
    const add = writer.addEncoded(blob!.id, Promise.reject(new Error('a backup worker thread stopped')), 900);
    await expect(add).rejects.toThrow('a backup worker thread stopped');
    await expect(writer.flush()).rejects.toThrow('a backup worker thread stopped');
  });

  it('takeWritten hands over finished packs without forcing out a partial one', async () => {
    const dest = await newDest();
    const writer = new PackWriter({ dest, codec: identityCodec, targetSize: 2000 });
    const blobs = blobsOf(identityCodec, 5, 900, 900);
    for (const b of blobs) await writer.add(b.id, b.plain);
    await new Promise((r) => setTimeout(r, 50));
    const early = writer.takeWritten();
    expect(early.length).toBe(2);
    const rest = await writer.flush();
    expect(rest.length).toBe(1);
    expect([...early, ...rest].flatMap((p) => p.blobs.map((b) => b.id)).sort()).toEqual(blobs.map((b) => b.id).sort());
  });
});

describe('BlobIndex', () => {
  it('maps ids to locations, first-smallest pack wins on duplicates', () => {
    const index = new BlobIndex();
    const id = 'ab'.repeat(32);
    const p1 = '11'.repeat(32);
    const p2 = '22'.repeat(32);
    expect(index.set(id, { packId: p2, kind: 'data', offset: 5, length: 10, rawLength: 8 })).toBe(true);
    expect(index.set(id, { packId: p1, kind: 'data', offset: 7, length: 11, rawLength: 8 })).toBe(false);
    expect(index.set(id, { packId: p2, kind: 'data', offset: 5, length: 10, rawLength: 8 })).toBe(false);
    expect(index.get(id)).toEqual({ packId: p1, kind: 'data', offset: 7, length: 11, rawLength: 8 });
    expect(index.locations(id).map((l) => l.packId)).toEqual([p1, p2]);
    expect(index.size).toBe(1);
    // A live copy beats a condemned one whatever the pack ids; the condemned copy stays an alternate.
    const p0 = '00'.repeat(32);
    expect(index.set(id, { packId: p0, kind: 'data', offset: 1, length: 9, rawLength: 8, condemned: true })).toBe(
      false,
    );
    expect(index.locations(id).map((l) => [l.packId, l.condemned ?? false])).toEqual([
      [p1, false],
      [p2, false],
      [p0, true],
    ]);
    expect(index.locations('cd'.repeat(32))).toEqual([]);
    expect(index.has('cd'.repeat(32))).toBe(false);
    expect(index.has('not hex')).toBe(false);
    expect(() => index.set('XYZ', { packId: p1, kind: 'data', offset: 0, length: 1, rawLength: 1 })).toThrow(
      StrataError,
    );
  });

  it('holds 1,000,000 entries well under 200 MB', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage();
    const index = new BlobIndex();
    const set = new IdSet();
    const packIds = Array.from({ length: 1000 }, (_, i) => sha256(Buffer.from(`pack ${i}`)));
    const seed = randomBytes(32);
    const ids: string[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      // Uniform-looking ids, cheaper than a million SHA-256s: a multiplicative hash up front, the counter behind.
      seed.writeUInt32BE(Math.imul(i, 0x9e3779b1) >>> 0, 0);
      seed.writeUInt32BE(i, 4);
      const id = seed.toString('hex');
      if (i % 1000 === 0) ids.push(id);
      index.set(id, { packId: packIds[i % 1000]!, kind: 'data', offset: i * 10, length: 1000, rawLength: 2000 });
    }
    gc?.();
    const after = process.memoryUsage();
    const mb = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1e6;
    console.log(
      `BlobIndex with 1,000,000 entries: ~${mb.toFixed(0)} MB (heap + array buffers)${gc ? '' : ', without gc'}`,
    );
    expect(mb).toBeLessThan(200);
    expect(index.size).toBe(1_000_000);
    for (const [n, id] of ids.entries()) {
      expect(index.get(id)).toEqual({
        packId: packIds[0]!,
        kind: 'data',
        offset: n * 10_000,
        length: 1000,
        rawLength: 2000,
      });
    }
    for (const id of ids) set.add(id);
    expect(set.size).toBe(ids.length);
    expect(ids.every((id) => set.has(id))).toBe(true);
  });
});

/** Counts what is read: ranged reads by bytes, whole-object reads (get/open) and HEADs by key. */
class ReadCountingDestination extends LocalDestination {
  ranges: [key: string, start: number, end: number][] = [];
  rangeBytes = 0;
  wholeReads: string[] = [];
  heads: string[] = [];

  override async getRange(key: string, start: number, end: number): Promise<Buffer> {
    const got = await super.getRange(key, start, end);
    this.ranges.push([key, start, end]);
    this.rangeBytes += got.length;
    return got;
  }

  override open(key: string): ReturnType<LocalDestination['open']> {
    this.wholeReads.push(key);
    return super.open(key);
  }

  override head(key: string, opts?: HeadOptions): Promise<ObjectInfo | undefined> {
    this.heads.push(key);
    return super.head(key, opts);
  }

  reset(): void {
    this.ranges = [];
    this.rangeBytes = 0;
    this.wholeReads = [];
    this.heads = [];
  }
}

describe('ranged pack reads', () => {
  /** A copy of bytes [a, b) of a pack through the cache (its own view is valid only inside `use`). */
  const copyOf = (cache: PackCache, packId: string, a: number, b: number, load: SpanLoader) =>
    cache.use(packId, a, b, load, (bytes) => Promise.resolve(Buffer.from(bytes)));

  const MIB = 1024 * 1024;

  /** One ~16 MiB pack: sixteen 1 MiB blobs with a 200-byte one in the middle. */
  async function bigPack() {
    const dir = await mkdtemp(join(tmpdir(), 'strata-ranged-'));
    dirs.push(dir);
    const dest = new ReadCountingDestination(dir);
    const codec = createCodec({ encryptionKey: randomBytes(32), idKey: randomBytes(32), keyId: '0123456789abcdef' });
    const blobs = [...blobsOf(codec, 8, MIB, MIB), ...blobsOf(codec, 1, 200, 200), ...blobsOf(codec, 8, MIB, MIB)];
    const writer = new PackWriter({ dest, codec, targetSize: 20 * MIB });
    for (const b of blobs) await writer.add(b.id, b.plain);
    const packs = await writer.flush();
    expect(packs).toHaveLength(1);
    const pack = packs[0]!;
    expect(pack.size).toBeGreaterThan(16 * MIB);
    const index = new BlobIndex();
    index.addPack(pack.packId, pack.blobs);
    dest.reset();
    return { dest, codec, blobs, pack, index, small: blobs[8]! };
  }

  it('one small blob from a 16 MiB pack reads its own bytes, or one read-ahead span with a cache', async () => {
    const { dest, codec, pack, index, small } = await bigPack();
    const stored = pack.blobs.find((b) => b.id === small.id)!;

    expect((await readBlob(dest, codec, index, small.id)).equals(small.plain)).toBe(true);
    expect(dest.wholeReads).toEqual([]);
    expect(dest.ranges).toEqual([[packKey(pack.packId), stored.offset, stored.offset + stored.length]]);
    expect(dest.rangeBytes).toBe(stored.length);
    expect(dest.rangeBytes).toBeLessThan(pack.size / 10_000);

    dest.reset();
    const reader = new BlobReader(dest, codec, index);
    expect((await reader.read(small.id)).equals(small.plain)).toBe(true);
    expect(dest.wholeReads).toEqual([]);
    expect(dest.ranges).toHaveLength(1);
    expect(dest.rangeBytes).toBeLessThanOrEqual(DEFAULT_READ_AHEAD);
    expect(dest.rangeBytes).toBeLessThan(pack.size / 3);
    // The next blob was read ahead: no request.
    const next = pack.blobs[pack.blobs.indexOf(stored) + 1]!;
    await reader.read(next.id);
    expect(dest.ranges).toHaveLength(1);
  });

  it('reading a whole pack blob by blob downloads each byte once, in a few requests', async () => {
    const { dest, codec, blobs, pack, index } = await bigPack();
    const cache = new PackCache(6 * MIB);
    const reader = new BlobReader(dest, codec, index, cache);
    for (const b of blobs) expect((await reader.read(b.id)).equals(b.plain)).toBe(true);
    expect(dest.wholeReads).toEqual([]);
    expect(dest.rangeBytes).toBeLessThanOrEqual(pack.size);
    expect(dest.ranges.length).toBeLessThanOrEqual(Math.ceil(pack.size / (3 * MIB)));
    // Ranges pick up where the one before ended: nothing is read twice.
    for (let i = 1; i < dest.ranges.length; i++) expect(dest.ranges[i]![1]).toBe(dest.ranges[i - 1]![2]);
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.size).toBeLessThanOrEqual(6 * MIB);

    // Concurrent readers share downloads in flight and still get their own bytes.
    dest.reset();
    const fresh = new BlobReader(dest, codec, index);
    const back = await Promise.all(blobs.map((b) => fresh.read(b.id)));
    back.forEach((buf, i) => expect(buf.equals(blobs[i]!.plain)).toBe(true));
    expect(dest.rangeBytes).toBeLessThan(2 * pack.size);
  });

  it('a range straddling a kept span reads only the missing bytes and joins only its own', async () => {
    const pack = randomBytes(10 * MIB);
    const loads: [number, number][] = [];
    const load = async (a: number, b: number) => {
      loads.push([a, b]);
      return Buffer.from(pack.subarray(a, Math.min(b, pack.length)));
    };
    const cache = new PackCache(16 * MIB, 4 * MIB);
    expect((await copyOf(cache, 'p', 0, 1000, load)).equals(pack.subarray(0, 1000))).toBe(true);
    const across = await copyOf(cache, 'p', 4 * MIB - 10, 4 * MIB + 10, load);
    expect(across.equals(pack.subarray(4 * MIB - 10, 4 * MIB + 10))).toBe(true);
    expect(loads).toEqual([
      [0, 4 * MIB],
      [4 * MIB, 8 * MIB],
    ]);
    // Each byte is kept once: the new span starts where the kept one ends.
    expect(cache.size).toBe(8 * MIB);
    // Past the end of the pack the answer comes back short, for the caller to call it truncated.
    const tail = await copyOf(cache, 'p', 8 * MIB - 5, 11 * MIB, load);
    expect(tail.equals(pack.subarray(8 * MIB - 5))).toBe(true);
    expect(loads[2]).toEqual([8 * MIB, 12 * MIB]);
  });

  it("a dropped span's memory is reused for the next one, never while a reader holds a view of it", async () => {
    const pack = randomBytes(12 * MIB);
    const intos: ArrayBufferLike[] = [];
    const load = async (a: number, b: number, into: Buffer) => {
      intos.push(into.buffer);
      const n = Math.max(0, Math.min(b, pack.length) - a);
      pack.copy(into, 0, a, a + n);
      return into.subarray(0, n);
    };
    const cache = new PackCache(8 * MIB, 4 * MIB);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    // A reader holds a view of the first span while newer spans push it out of the cache.
    const first = cache.use('p', 0, 1000, load, async (bytes) => {
      await held;
      return Buffer.from(bytes);
    });
    await copyOf(cache, 'p', 4 * MIB, 4 * MIB + 10, load);
    await copyOf(cache, 'p', 8 * MIB, 8 * MIB + 10, load); // the first span is dropped, still held
    await copyOf(cache, 'q', 0, 10, load); // the second is dropped and free
    expect(intos[3]).not.toBe(intos[0]);
    expect(cache.idleBytes).toBe(4 * MIB);
    await copyOf(cache, 'q', 4 * MIB, 4 * MIB + 10, load);
    expect(intos[4]).toBe(intos[1]); // the free one, not the held one
    release();
    expect((await first).equals(pack.subarray(0, 1000))).toBe(true);
    // Let go: the first span's memory is free too, and the next miss takes it.
    expect(cache.idleBytes).toBe(8 * MIB);
    await copyOf(cache, 'r', 0, 10, load);
    expect(intos[5]).toBe(intos[0]);
  });

  it('spare span memory covers the spans readers still held when they were dropped', async () => {
    const pack = randomBytes(64 * MIB);
    // Rounds of four readers at once, each on its own span, against a cache that keeps two (a
    // restore worker's); returns how many distinct buffers the loads were given in all.
    const buffersFor = async (cache: PackCache): Promise<number> => {
      const seen = new Set<ArrayBufferLike>();
      const load = async (a: number, b: number, into: Buffer) => {
        seen.add(into.buffer);
        const n = Math.max(0, Math.min(b, pack.length) - a);
        pack.copy(into, 0, a, a + n);
        return into.subarray(0, n);
      };
      for (let from = 0; from < pack.length; from += 16 * MIB) {
        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        const readers = [0, 1, 2, 3].map((i) =>
          cache.use('p', from + i * 4 * MIB, from + i * 4 * MIB + 10, load, async (bytes) => {
            await held;
            return bytes.length;
          }),
        );
        await new Promise((r) => setTimeout(r, 2));
        release();
        expect(await Promise.all(readers)).toEqual([10, 10, 10, 10]);
      }
      return seen.size;
    };
    // At most six spans are out at once (four read, two kept): with that much spare, no more are made.
    expect(await buffersFor(new PackCache(8 * MIB, 4 * MIB, 24 * MIB))).toBeLessThanOrEqual(6);
    // With only the cache's own size spare, every round makes new ones.
    expect(await buffersFor(new PackCache(8 * MIB, 4 * MIB))).toBeGreaterThan(8);
  });

  it('many concurrent readers of a small cache, loads landing in any order, each get their own bytes', async () => {
    const packs = new Map(['a', 'b', 'c'].map((id) => [id, randomBytes(2 * MIB)] as const));
    const seen = new Set<ArrayBufferLike>();
    let loads = 0;
    const tick = () => new Promise<void>((r) => setTimeout(r, Math.floor(Math.random() * 3)));
    const cache = new PackCache(MIB, 256 * 1024);
    // Eight readers at a time, as a restore's files are.
    const one = async (i: number) => {
      const id = ['a', 'b', 'c'][i % 3]!;
      const pack = packs.get(id)!;
      const start = Math.floor(Math.random() * (pack.length - 1000));
      const end = Math.min(pack.length, start + 1 + Math.floor(Math.random() * 64 * 1024));
      const load = async (a: number, b: number, into: Buffer) => {
        loads++;
        seen.add(into.buffer);
        await tick();
        const n = Math.max(0, Math.min(b, pack.length) - a);
        pack.copy(into, 0, a, a + n);
        return into.subarray(0, n);
      };
      return cache.use(id, start, end, load, async (bytes) => {
        await tick();
        // Still this reader's bytes after other loads ran meanwhile.
        expect(bytes.equals(pack.subarray(start, end))).toBe(true);
        return true;
      });
    };
    const reads = (
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          const done: boolean[] = [];
          for (let i = w; i < 2000; i += 8) done.push(await one(i));
          return done;
        }),
      )
    ).flat();
    expect(reads).toHaveLength(2000);
    // Memory was reused: far fewer buffers than loads.
    expect(seen.size).toBeLessThan(loads);
    expect(cache.size).toBeLessThanOrEqual(MIB);
  });

  it('a pack header costs a HEAD (none with a known size) and its tail, not the pack', async () => {
    const { dest, codec, pack } = await bigPack();
    expect(await fetchPackHeader(dest, codec, pack.packId)).toEqual(pack.blobs);
    expect(dest.heads).toEqual([packKey(pack.packId)]);
    expect(dest.wholeReads).toEqual([]);
    expect(dest.rangeBytes).toBeLessThanOrEqual(64 * 1024);

    dest.reset();
    expect(await fetchPackHeader(dest, codec, pack.packId, pack.size)).toEqual(pack.blobs);
    expect(dest.heads).toEqual([]);
    expect(dest.ranges).toEqual([[packKey(pack.packId), pack.size - 64 * 1024, pack.size]]);
  });

  it('a header longer than the first tail read: the second read fetches only its missing front', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-ranged-'));
    dirs.push(dir);
    const dest = new ReadCountingDestination(dir);
    const codec = sealingCodec();
    const { packId, bytes, entries } = buildPack(
      blobsOf(codec, 2000, 1, 4).map((b) => ({
        id: b.id,
        encoded: codec.encode(b.plain, 'data', b.id),
        rawLength: b.plain.length,
      })),
      codec,
    );
    await dest.putBuffer(packKey(packId), bytes);
    expect(await fetchPackHeader(dest, codec, packId, bytes.length)).toEqual(entries);
    const need = 4 + 2000 * 45 + 10 + 28;
    expect(dest.ranges).toEqual([
      [packKey(packId), bytes.length - 64 * 1024, bytes.length],
      [packKey(packId), bytes.length - need, bytes.length - 64 * 1024],
    ]);
    expect(dest.rangeBytes).toBe(need);

    // A size from a stale listing that the pack does not have is damage, not a misread header.
    await expectCorrupt(fetchPackHeader(dest, codec, packId, bytes.length + 10), /listed as/);
    await expect(fetchPackHeader(dest, codec, 'ee'.repeat(32))).rejects.toMatchObject({ code: 'not-found' });
  });
});
