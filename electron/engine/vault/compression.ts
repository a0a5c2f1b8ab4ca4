import * as zlib from 'node:zlib';
import { StrataError } from '../../../shared/errors.js';

/**
 * Per-object compression for the vault. The algorithm is recorded in one byte next to each
 * object, so a vault written by a runtime with zstd stays readable by one without (as far as
 * it can: a zstd object needs zstd) and the choice can change between versions.
 */
export const COMPRESSION = { none: 0, deflate: 1, zstd: 2 } as const;
export type CompressionAlg = (typeof COMPRESSION)[keyof typeof COMPRESSION];

/**
 * Deflate (runtimes without zstd): level 1, zlib's fastest. Deflating was most of a backup's CPU:
 * the bench's 1 GiB mixed tree (a fifth of it text) backs up in 17 s at level 1 against 18-21 s at
 * level 3, for a repository 0.7 % larger (898.0 MiB against 891.6; restic's zstd: 889.7). Level 3
 * had been chosen over the default 6 the same way (text ratio 0.478 against 0.465, twice as fast).
 */
const DEFLATE_LEVEL = 1;
/** zstd's own default: about deflate's ratio at several times its speed. */
const ZSTD_LEVEL = 3;

/**
 * Byte entropy of a sample, in bits per byte, above which the input is stored as is: compressed
 * formats (photos, video, archives) and ciphertext measure ~7.99, text ~5, executables ~6. Deflate
 * crawls (~30 MB/s) over such data and saves nothing, and a histogram costs a few microseconds (the
 * heuristic btrfs uses to skip compression).
 */
const INCOMPRESSIBLE_ENTROPY = 7.5;
const ENTROPY_SLICES = 4;
// 4 KiB in all: random bytes still measure ~7.95, and a backup of small files samples every one.
const ENTROPY_SLICE_BYTES = 1024;
/** Inputs above this that pass the entropy test are also probed by compressing a sample. */
const PROBE_ABOVE = 256 * 1024;
const PROBE_SLICES = 4;
const PROBE_SLICE_BYTES = 16 * 1024;
/** A sample that saves less than this fraction means the whole input (photos, video, archives) is stored as is. */
const PROBE_MIN_SAVING = 0.03;

type ZlibOptions = zlib.ZlibOptions & { params?: Record<number, number> };
type ZlibFn = (buf: Buffer, options?: ZlibOptions) => Buffer;
type ZlibAsyncFn = (buf: Buffer, options: ZlibOptions, done: (err: Error | null, out: Buffer) => void) => void;
interface ZstdRuntime {
  zstdCompressSync?: ZlibFn;
  zstdDecompressSync?: ZlibFn;
  zstdCompress?: ZlibAsyncFn;
  zstdDecompress?: ZlibAsyncFn;
}

// Node 20's typings (and runtime) have no zstd; Electron's newer Node (>= 22.15) does.
const runtime = zlib as unknown as ZstdRuntime;
/** The parameter key for the level (100 in zstd.h), from the runtime when it says. */
const ZSTD_C_COMPRESSION_LEVEL =
  (zlib.constants as unknown as Record<string, number | undefined>).ZSTD_c_compressionLevel ?? 100;

/** True when this runtime can write and read zstd objects. */
export function hasZstd(): boolean {
  return typeof runtime.zstdCompressSync === 'function' && typeof runtime.zstdDecompressSync === 'function';
}

export interface Compressed {
  alg: CompressionAlg;
  /** The compressed bytes, or the input itself when alg is none. */
  payload: Buffer;
}

/** zstd where the runtime has it, else deflate; stored as is (alg 0) when that does not shrink it. */
export function compress(
  plain: Buffer,
  prefer: CompressionAlg = hasZstd() ? COMPRESSION.zstd : COMPRESSION.deflate,
): Compressed {
  const alg = worthTrying(plain, prefer);
  return alg === COMPRESSION.none ? { alg, payload: plain } : smaller(plain, alg, compressWith(alg, plain));
}

/**
 * `compress` with the compressing itself on libuv's thread pool, so a backup reads and hashes the
 * next files on the main thread meanwhile. Same choice, same output format.
 */
export async function compressAsync(
  plain: Buffer,
  prefer: CompressionAlg = hasZstd() ? COMPRESSION.zstd : COMPRESSION.deflate,
): Promise<Compressed> {
  let alg = worthSampling(plain, prefer);
  // The probe on the thread pool too: on the main thread it was a fifth of a backup's compressing.
  if (alg !== COMPRESSION.none && plain.length > PROBE_ABOVE) {
    const sample = probeSample(plain);
    if (!probeSaves(sample, await compressWithAsync(alg, sample))) alg = COMPRESSION.none;
  }
  return alg === COMPRESSION.none ? { alg, payload: plain } : smaller(plain, alg, await compressWithAsync(alg, plain));
}

/** The algorithm to compress with, or none when the input is empty or looks incompressible. */
function worthTrying(plain: Buffer, prefer: CompressionAlg): CompressionAlg {
  const alg = worthSampling(plain, prefer);
  if (alg === COMPRESSION.none || plain.length <= PROBE_ABOVE) return alg;
  const sample = probeSample(plain);
  return probeSaves(sample, compressWith(alg, sample)) ? alg : COMPRESSION.none;
}

/** `worthTrying` before the probe: none for empty or high-entropy input. */
function worthSampling(plain: Buffer, prefer: CompressionAlg): CompressionAlg {
  if (prefer === COMPRESSION.none || plain.length === 0) return COMPRESSION.none;
  return looksIncompressible(plain) ? COMPRESSION.none : prefer;
}

function smaller(plain: Buffer, alg: CompressionAlg, payload: Buffer): Compressed {
  return payload.length < plain.length ? { alg, payload } : { alg: COMPRESSION.none, payload: plain };
}

/**
 * Reverses `compress`. `maxSize` caps the output so a crafted object cannot expand into
 * gigabytes (a decompression bomb); more than that is reported as a damaged object. `expected`
 * (the size the index records), when known, sizes the output buffer so it is made in one step.
 */
export function decompress(
  alg: number,
  payload: Buffer,
  maxSize: number,
  what = 'vault object',
  expected?: number,
): Buffer {
  const sized = expected === undefined ? {} : { chunkSize: outputChunk(expected, maxSize) };
  switch (alg) {
    case COMPRESSION.none:
      if (payload.length > maxSize) throw tooLarge(what, maxSize);
      return payload;
    case COMPRESSION.deflate:
      return inflate(() => zlib.inflateRawSync(payload, { maxOutputLength: maxSize, ...sized }), what, maxSize);
    case COMPRESSION.zstd: {
      const zstd = runtime.zstdDecompressSync;
      if (typeof zstd !== 'function') {
        throw new StrataError(
          'format-too-new',
          `${what} is zstd-compressed and this Strata's runtime cannot read zstd`,
          'upgrade Strata (or use the desktop app, whose runtime reads zstd) to restore from this vault',
        );
      }
      return inflate(() => zstd(payload, { maxOutputLength: maxSize, ...sized }), what, maxSize);
    }
    default:
      throw new StrataError(
        'corrupt',
        `${what} names an unknown compression (${alg}): it is damaged or was written by a newer Strata`,
        'run strata verify on this destination; if another machine runs a newer Strata, upgrade this one',
      );
  }
}

/** One spare KiB: a full output buffer would cost zlib another round to see the end. */
function outputChunk(expected: number, maxSize: number): number {
  return Math.max(zlib.constants.Z_MIN_CHUNK, Math.min(expected, maxSize) + 1024);
}

/**
 * `decompress` on the runtime's thread pool, so a restore inflates on every core while the main
 * thread writes. `expected` (the size the index records) sizes the output buffer so it is made in
 * one step; the cap and the errors are those of `decompress`.
 */
export function decompressAsync(
  alg: number,
  payload: Buffer,
  maxSize: number,
  what: string,
  expected: number,
): Promise<Buffer> {
  const fn: ZlibAsyncFn | undefined =
    alg === COMPRESSION.deflate
      ? (zlib.inflateRaw as unknown as ZlibAsyncFn)
      : alg === COMPRESSION.zstd
        ? runtime.zstdDecompress
        : undefined;
  // Stored as is, unknown or no zstd here: nothing to hand off, and the sync path words the error.
  if (!fn) return Promise.resolve().then(() => decompress(alg, payload, maxSize, what));
  const chunkSize = outputChunk(expected, maxSize);
  return new Promise((resolve, reject) => {
    fn(payload, { maxOutputLength: maxSize, chunkSize }, (err, out) => {
      if (err) reject(inflateError(err, what, maxSize));
      else resolve(out);
    });
  });
}

function compressWith(alg: CompressionAlg, data: Buffer): Buffer {
  if (alg === COMPRESSION.deflate) return zlib.deflateRawSync(data, { level: DEFLATE_LEVEL });
  const zstd = runtime.zstdCompressSync;
  if (alg !== COMPRESSION.zstd || typeof zstd !== 'function') {
    throw new StrataError('internal', `compression ${alg} is not available in this runtime`);
  }
  return zstd(data, { params: { [ZSTD_C_COMPRESSION_LEVEL]: ZSTD_LEVEL } });
}

function compressWithAsync(alg: CompressionAlg, data: Buffer): Promise<Buffer> {
  const run = (fn: ZlibAsyncFn, options: ZlibOptions) =>
    new Promise<Buffer>((resolve, reject) => fn(data, options, (err, out) => (err ? reject(err) : resolve(out))));
  if (alg === COMPRESSION.deflate) return run(zlib.deflateRaw as ZlibAsyncFn, { level: DEFLATE_LEVEL });
  const zstd = runtime.zstdCompress;
  if (alg !== COMPRESSION.zstd || typeof zstd !== 'function') {
    return Promise.reject(new StrataError('internal', `compression ${alg} is not available in this runtime`));
  }
  return run(zstd, { params: { [ZSTD_C_COMPRESSION_LEVEL]: ZSTD_LEVEL } });
}

/** c·log2(c) for every count a sample can hold: a table lookup instead of a log2 per byte value. */
const C_LOG2_C = (() => {
  const table = new Float64Array(ENTROPY_SLICES * ENTROPY_SLICE_BYTES + 1);
  for (let c = 1; c < table.length; c++) table[c] = c * Math.log2(c);
  return table;
})();

/** Shannon entropy of the bytes of a few slices spread over the input (all of it when small). */
export function sampleEntropy(plain: Buffer): number {
  // Int32 counts and plain loops (no closure): Uint32 values and a counting closure ran 20 % slower,
  // and a backup of small files samples every file.
  const counts = new Int32Array(256);
  let n: number;
  if (plain.length <= ENTROPY_SLICES * ENTROPY_SLICE_BYTES) {
    for (let i = 0; i < plain.length; i++) counts[plain[i]!]!++;
    n = plain.length;
  } else {
    const step = Math.floor((plain.length - ENTROPY_SLICE_BYTES) / (ENTROPY_SLICES - 1));
    for (let s = 0; s < ENTROPY_SLICES; s++) {
      const from = s * step;
      for (let i = from; i < from + ENTROPY_SLICE_BYTES; i++) counts[plain[i]!]!++;
    }
    n = ENTROPY_SLICES * ENTROPY_SLICE_BYTES;
  }
  if (n === 0) return 0;
  // -Σ p·log2 p with p = c/n is log2 n - (Σ c·log2 c) / n.
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += C_LOG2_C[counts[i]!]!;
  return Math.log2(n) - sum / n;
}

/**
 * Below 1 KiB a sample is too short to measure (random bytes measure lower the fewer there are:
 * ~7.75 at 1 KiB, 7.99 at 16 KiB), and compressing is cheap anyway.
 */
function looksIncompressible(plain: Buffer): boolean {
  return plain.length >= 1024 && sampleEntropy(plain) >= INCOMPRESSIBLE_ENTROPY;
}

/** Compresses a few slices spread over the input; cheap next to compressing 4 MiB of noise. */
function probeSample(plain: Buffer): Buffer {
  const step = Math.floor((plain.length - PROBE_SLICE_BYTES) / (PROBE_SLICES - 1));
  const slices: Buffer[] = [];
  for (let i = 0; i < PROBE_SLICES; i++) slices.push(plain.subarray(i * step, i * step + PROBE_SLICE_BYTES));
  return Buffer.concat(slices);
}

function probeSaves(sample: Buffer, compressed: Buffer): boolean {
  return compressed.length <= sample.length * (1 - PROBE_MIN_SAVING);
}

function inflate(run: () => Buffer, what: string, maxSize: number): Buffer {
  try {
    return run();
  } catch (err) {
    throw inflateError(err, what, maxSize);
  }
}

/** A decompressor's failure as Strata words it: too large, or damaged. */
function inflateError(err: unknown, what: string, maxSize: number): StrataError {
  if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(what, maxSize);
  return new StrataError(
    'corrupt',
    `${what} does not decompress: it is damaged`,
    'run strata verify on this destination; restore this file from another destination',
    { cause: err },
  );
}

function tooLarge(what: string, maxSize: number): StrataError {
  return new StrataError(
    'corrupt',
    `${what} expands beyond ${maxSize} bytes, more than Strata ever stores in one object: it is damaged or hostile`,
    'run strata verify on this destination; restore this file from another destination',
  );
}
