import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  chunkBoundaries,
  chunkingFromDescription,
  chunkStream,
  DEFAULT_CHUNKING,
  describeChunking,
  resolveChunking,
  type ChunkingOptions,
} from '../../electron/engine/vault/chunker.js';
import { StrataError } from '../../shared/errors.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const { minSize: MIN, avgSize: AVG, maxSize: MAX } = DEFAULT_CHUNKING;
/** Small parameters, so byte-at-a-time reads still cross many boundaries quickly. */
const SMALL: ChunkingOptions = { minSize: 1 * KiB, avgSize: 4 * KiB, maxSize: 16 * KiB, normalization: 2 };
/** The defaults as the first vaults recorded them (no normalization field: level 2). */
const LEGACY: ChunkingOptions = { ...DEFAULT_CHUNKING, normalization: 2 };

/** Deterministic pseudo-random bytes (an AES-CTR keystream): fast, and the same on every run. */
function random(size: number, seed = 1): Buffer {
  const key = Buffer.alloc(16, seed);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

const BIG = random(64 * MiB);
const BIG_CUTS = chunkBoundaries(BIG);
/** The first cuts of BIG at the default level 1. */
const BIG_CUTS_PINNED = [1763039, 4348136, 4617805, 7503494];

async function* reads(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

function slices(buf: Buffer, cuts: number[]): Buffer[] {
  return cuts.map((end, i) => buf.subarray(i === 0 ? 0 : cuts[i - 1], end));
}

function lengths(chunks: Buffer[]): number[] {
  return chunks.map((c) => c.length);
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Chunks of `buf` keyed by SHA-256, with their sizes. */
function chunkSet(buf: Buffer): Map<string, number> {
  return new Map(slices(buf, chunkBoundaries(buf)).map((c) => [sha(c), c.length]));
}

/** Chunks (count, bytes) of `after` that `before` does not already have: what a backup would upload. */
function newChunks(before: Buffer, after: Buffer): { count: number; bytes: number } {
  const old = chunkSet(before);
  let count = 0;
  let bytes = 0;
  for (const [id, size] of chunkSet(after)) {
    if (old.has(id)) continue;
    count++;
    bytes += size;
  }
  return { count, bytes };
}

function thrown(fn: () => unknown): StrataError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StrataError);
    return err as StrataError;
  }
  throw new Error('expected a StrataError');
}

/**
 * The chunker as documented, written plainly: gear[i] is the i-th big-endian int32 of
 * SHA-256(seed || uint32be(counter)) blocks; bytes before min are skipped; after each byte the
 * fingerprint's top log2(avg)+n bits (before avg) or log2(avg)-n bits (from avg on) all zero is a
 * cut, n the normalization level.
 */
function referenceBoundaries(buf: Buffer, opts: ChunkingOptions): number[] {
  const { seed } = describeChunking();
  const gear: number[] = [];
  for (let counter = 0; gear.length < 256; counter++) {
    const block = Buffer.alloc(4);
    block.writeUInt32BE(counter);
    const digest = createHash('sha256').update(seed).update(block).digest();
    for (let w = 0; w < 32; w += 4) gear.push(digest.readUInt32BE(w));
  }
  const bits = Math.log2(opts.avgSize);
  const top = (n: number): number => (2 ** n - 1) * 2 ** (32 - n);
  const [maskS, maskL] = [top(bits + opts.normalization), top(bits - opts.normalization)];
  const cuts: number[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = Math.min(start + opts.maxSize, buf.length);
    let fp = 0;
    for (let i = start + opts.minSize; i < end; i++) {
      fp = (fp * 2 + gear[buf[i]!]!) % 2 ** 32;
      const mask = i - start < opts.avgSize ? maskS : maskL;
      if ((fp & mask) >>> 0 === 0) {
        end = i + 1;
        break;
      }
    }
    cuts.push(end);
    start = end;
  }
  return cuts;
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('chunk boundaries', () => {
  it('cover the input in order, every chunk but the last within [min, max]', () => {
    expect(BIG_CUTS.at(-1)).toBe(BIG.length);
    const sizes = BIG_CUTS.map((end, i) => end - (i === 0 ? 0 : BIG_CUTS[i - 1]!));
    for (const s of sizes.slice(0, -1)) {
      expect(s).toBeGreaterThanOrEqual(MIN);
      expect(s).toBeLessThanOrEqual(MAX);
    }
    expect(sizes.at(-1)!).toBeGreaterThan(0);
    expect(sizes.at(-1)!).toBeLessThanOrEqual(MAX);
  });

  it('average about 1 MiB on random data', () => {
    const avg = BIG.length / BIG_CUTS.length;
    expect(avg).toBeGreaterThan(0.75 * AVG);
    expect(avg).toBeLessThan(1.25 * AVG);
  });

  it('follow the documented algorithm (a plain reference implementation agrees)', () => {
    for (const [data, opts] of [
      [random(4 * MiB, 2), SMALL],
      [random(4 * MiB, 2), { ...SMALL, normalization: 0 }],
      [BIG.subarray(0, 12 * MiB), DEFAULT_CHUNKING],
      [BIG.subarray(0, 12 * MiB), LEGACY],
    ] as const) {
      expect(chunkBoundaries(data, opts)).toEqual(referenceBoundaries(data, opts));
    }
  });

  it('do not change (the format is recorded in repositories)', () => {
    // If these move, every chunk id written so far changes: that needs a new algorithm name.
    expect(chunkBoundaries(random(48 * KiB, 9), SMALL)).toEqual([
      4770, 10041, 14758, 19959, 24261, 28402, 35516, 43532, 49152,
    ]);
    expect(chunkBoundaries(BIG.subarray(0, 8 * MiB), LEGACY).slice(0, 4)).toEqual([1378251, 2466417, 4348136, 5527806]);
    // And vaults' own descriptions keep them: one without the level is level 2.
    const first = { algorithm: 'fastcdc-gear-v1', seed: 'strata/vault/chunker/gear/v1', ...DEFAULT_CHUNKING };
    delete (first as Partial<typeof first>).normalization;
    expect(chunkingFromDescription(first)).toEqual(LEGACY);
    expect(BIG_CUTS.slice(0, 4)).toEqual(BIG_CUTS_PINNED);
  });

  it('make content shorter than the minimum one chunk, and empty content no chunk', () => {
    expect(chunkBoundaries(Buffer.alloc(0))).toEqual([]);
    expect(chunkBoundaries(Buffer.from([42]))).toEqual([1]);
    expect(chunkBoundaries(BIG.subarray(0, MIN - 1))).toEqual([MIN - 1]);
  });

  it('cut degenerate content (a run of one byte value) at the maximum', () => {
    expect(chunkBoundaries(Buffer.alloc(2 * MAX + 5))).toEqual([MAX, 2 * MAX, 2 * MAX + 5]);
    // Every byte value: a run past the normalization point is still one chunk, so runs only cut at max.
    for (let v = 0; v < 256; v++) {
      const run = Buffer.alloc(AVG + 4 * KiB, v);
      expect(chunkBoundaries(run), `a run of ${v}`).toEqual([run.length]);
    }
  });

  it('resist shifts: an insert in the middle changes only the chunks around it', () => {
    const mid = BIG.length / 2 + 12345;
    for (const n of [1, 100]) {
      const edited = Buffer.concat([BIG.subarray(0, mid), random(n, 7), BIG.subarray(mid)]);
      const { count } = newChunks(BIG, edited);
      expect(count, `insert of ${n} bytes`).toBeGreaterThanOrEqual(1);
      expect(count, `insert of ${n} bytes`).toBeLessThanOrEqual(3);
    }
    // And a delete.
    const cut = Buffer.concat([BIG.subarray(0, mid), BIG.subarray(mid + 4096)]);
    expect(newChunks(BIG, cut).count).toBeLessThanOrEqual(3);
  });

  it('keep a 1 MiB change in the middle of a big file to a few MiB of new chunks', () => {
    const edited = Buffer.from(BIG);
    random(MiB, 5).copy(edited, BIG.length / 2);
    const { bytes } = newChunks(BIG, edited);
    expect(bytes).toBeGreaterThanOrEqual(MiB);
    expect(bytes).toBeLessThan(8 * MiB);
  });
});

describe('chunkStream', () => {
  it('gives the same chunks whatever the read sizes', async () => {
    const expected = slices(BIG, BIG_CUTS);
    for (const size of [64 * KiB, MiB + 13, BIG.length]) {
      const got = await collect(chunkStream(reads(BIG, size)));
      expect(lengths(got), `reads of ${size}`).toEqual(lengths(expected));
      expect(got.map(sha), `reads of ${size}`).toEqual(expected.map(sha));
    }
  });

  it('gives the same chunks with 1-byte and 7-byte reads', async () => {
    const small = random(512 * KiB, 3);
    const smallCuts = chunkBoundaries(small, SMALL);
    expect(smallCuts.length).toBeGreaterThan(50);
    for (const size of [1, 7]) {
      const got = await collect(chunkStream(reads(small, size), SMALL));
      expect(got.map(sha), `reads of ${size}`).toEqual(slices(small, smallCuts).map(sha));
    }
    // Default parameters too: 7-byte reads across several default-size chunks.
    const part = BIG.subarray(0, 6 * MiB);
    const got = await collect(chunkStream(reads(part, 7)));
    expect(got.map(sha)).toEqual(slices(part, chunkBoundaries(part)).map(sha));
  });

  it('yields nothing for empty input and one chunk for one byte', async () => {
    expect(await collect(chunkStream(reads(Buffer.alloc(0), 1)))).toEqual([]);
    expect(await collect(chunkStream((async function* () {})()))).toEqual([]);
    expect(await collect(chunkStream(reads(Buffer.from([7]), 1)))).toEqual([Buffer.from([7])]);
  });

  it('reads a Node stream (a file)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-chunker-'));
    dirs.push(dir);
    const file = join(dir, 'data.bin');
    const content = BIG.subarray(0, 9 * MiB + 1);
    await writeFile(file, content);
    const got = await collect(chunkStream(createReadStream(file, { highWaterMark: 64 * KiB })));
    expect(got.map(sha)).toEqual(slices(content, chunkBoundaries(content)).map(sha));
  });

  it('copies what it keeps, so a producer may reuse its read buffer', async () => {
    const content = BIG.subarray(0, 10 * MiB);
    const buf = Buffer.alloc(100 * KiB);
    async function* reused(): AsyncGenerator<Buffer> {
      for (let i = 0; i < content.length; i += buf.length) {
        const n = content.copy(buf, 0, i, i + buf.length);
        yield buf.subarray(0, n);
        buf.fill(0xee); // scribble over it once the chunker asks for the next read
      }
    }
    const got = await collect(chunkStream(reused()));
    expect(got.map(sha)).toEqual(slices(content, chunkBoundaries(content)).map(sha));
  });

  it('with reuse, gives the same chunks, each valid until the next is asked for', async () => {
    const content = BIG.subarray(0, 12 * MiB + 5);
    const expected = slices(content, chunkBoundaries(content)).map(sha);
    const buf = Buffer.alloc(100 * KiB);
    async function* scribbled(): AsyncGenerator<Buffer> {
      for (let i = 0; i < content.length; i += buf.length) {
        const n = content.copy(buf, 0, i, i + buf.length);
        yield buf.subarray(0, n);
        buf.fill(0xee);
      }
    }
    const inputs: [string, AsyncIterable<Uint8Array>][] = [
      ['64 KiB reads', reads(content, 64 * KiB)],
      ['reads of 1 MiB + 13', reads(content, MiB + 13)],
      ['one read', reads(content, content.length)],
      ['a reused read buffer', scribbled()],
    ];
    for (const [label, input] of inputs) {
      const got: string[] = [];
      const seen = new Set<ArrayBufferLike>();
      for await (const chunk of chunkStream(input, undefined, { reuse: true })) {
        got.push(sha(chunk)); // hashed before the next chunk, as a consumer must
        seen.add(chunk.buffer);
      }
      expect(got, label).toEqual(expected);
      // Joined chunks share one buffer rather than one each.
      expect(seen.size, label).toBeLessThan(expected.length + 2);
    }
    const small = random(300 * KiB, 9);
    const got: string[] = [];
    for await (const c of chunkStream(reads(small, 7), SMALL, { reuse: true })) got.push(sha(c));
    expect(got).toEqual(slices(small, chunkBoundaries(small, SMALL)).map(sha));
  });

  it('holds at most one partial chunk besides the current read', async () => {
    const readSize = 256 * KiB;
    let pulled = 0;
    async function* counted(): AsyncGenerator<Buffer> {
      for await (const b of reads(BIG.subarray(0, 24 * MiB), readSize)) {
        pulled += b.length;
        yield b;
      }
    }
    let emitted = 0;
    let worst = 0;
    for await (const chunk of chunkStream(counted())) {
      emitted += chunk.length;
      worst = Math.max(worst, pulled - emitted);
    }
    expect(emitted).toBe(24 * MiB);
    expect(worst).toBeLessThanOrEqual(MAX + readSize);
  });

  it('refuses text (a stream with an encoding)', async () => {
    const text = Readable.from(['not bytes']);
    await expect(collect(chunkStream(text))).rejects.toThrow(/needs bytes/);
  });
});

describe('chunking options', () => {
  it('default to 256 KiB / 1 MiB / 4 MiB and describe themselves for strata.json', () => {
    expect(DEFAULT_CHUNKING).toEqual({ minSize: 256 * KiB, avgSize: MiB, maxSize: 4 * MiB, normalization: 1 });
    const desc = describeChunking();
    expect(JSON.parse(JSON.stringify(desc))).toEqual({
      algorithm: 'fastcdc-gear-v1',
      seed: 'strata/vault/chunker/gear/v1',
      minSize: 256 * KiB,
      avgSize: MiB,
      maxSize: 4 * MiB,
      normalization: 1,
    });
    expect(describeChunking(SMALL)).toMatchObject(SMALL);
    expect(chunkingFromDescription(JSON.parse(JSON.stringify(describeChunking(SMALL))))).toEqual(SMALL);
  });

  it('reject a description from another chunker', () => {
    const err = thrown(() => chunkingFromDescription({ ...describeChunking(), algorithm: 'rabin' }));
    expect(err.code).toBe('format-too-new');
    expect(err.message).toMatch(/rabin/);
    expect(() =>
      chunkingFromDescription({ algorithm: 'fastcdc-gear-v1', seed: 'strata/vault/chunker/gear/v1' }),
    ).toThrow(/minSize is missing/);
  });

  it.each([
    [{ minSize: MiB }, /minSize < avgSize < maxSize/],
    [{ avgSize: 4 * MiB }, /minSize < avgSize < maxSize/],
    [{ maxSize: MiB }, /minSize < avgSize < maxSize/],
    [{ avgSize: 3 * 256 * KiB + 1 }, /power of two/],
    [{ avgSize: 1.5 * MiB }, /power of two/],
    [{ minSize: 1.5 }, /integer/],
    [{ maxSize: Number.NaN }, /integer/],
    [{ minSize: -1 }, /at least 64/],
    [{ minSize: 16, avgSize: 32, maxSize: 64 }, /at least 64/],
    [{ maxSize: 2048 * MiB }, /at most/],
    [{ normalization: 4 }, /normalization must be 0 to 3/],
    [{ normalization: 1.5 }, /integer/],
  ] as [Partial<ChunkingOptions>, RegExp][])('reject %o', async (opts, message) => {
    const err = thrown(() => resolveChunking(opts));
    expect(err.code).toBe('config');
    expect(err.message).toMatch(/^invalid chunking options: /);
    expect(err.message).toMatch(message);
    expect(() => chunkBoundaries(Buffer.alloc(1), opts)).toThrow(message);
    await expect(collect(chunkStream(reads(Buffer.alloc(1), 1), opts))).rejects.toThrow(message);
  });

  it('take partial options over the defaults', () => {
    expect(resolveChunking({ maxSize: 8 * MiB })).toEqual({ ...DEFAULT_CHUNKING, maxSize: 8 * MiB });
    expect(resolveChunking({ minSize: undefined })).toEqual(DEFAULT_CHUNKING);
  });
});
