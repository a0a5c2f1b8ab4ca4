/**
 * The gear hash's hot loop (vault/chunker.ts) in WebAssembly: V8 runs the JavaScript loop at
 * ~300 MB/s, a quarter of a backup's main thread, and this at ~750 MB/s copy included. The
 * source is gear-scan.wat; `node build/gear-scan-wasm.mjs` compiles it into GEAR_WASM below
 * (a test checks they agree). Same arithmetic as the reference loop in chunker.ts's tests.
 */

// prettier-ignore
const GEAR_WASM = 'AGFzbQEAAAABCQFgBH9/f38BfwMCAQAFAwEAAQYGAX8BQQALBxYDBm1lbW9yeQIAAmZwAwAEc2NhbgAACkMBQQACQANAIAAgAU8NASACQQF0IAAtAABBAnQoAgBqIQIgAEEBaiEAIAIgA3FFBEAgAiQAIAAPCwwACwsgAiQAQX8L';

const TABLE_BYTES = 256 * 4;
/**
 * Bytes copied in and scanned per call. Small enough that what is copied past a cut point (and
 * copied again for the next chunk) stays a fraction of a chunk's minimum size.
 */
const WINDOW = 256 * 1024;
const PAGE = 64 * 1024;

interface GearExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  fp: { value: number };
  scan: (i: number, stop: number, fp: number, mask: number) => number;
}

/** The part of the WebAssembly global used here (Node's typings for it come with the DOM library). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export interface GearScanner {
  /**
   * Continues fingerprint `fp` over data[from, to): `fp = (fp << 1) + table[byte] | 0`. Returns the
   * index just past the first byte after which `(fp & mask) === 0`, or -1; either way `fp` then
   * holds the fingerprint where it stopped.
   */
  scan(data: Uint8Array, from: number, to: number, fp: number, mask: number): number;
  readonly fp: number;
}

/** A scanner over `table` (256 int32 values). Not re-entrant: one per thread is enough, as a call never yields. */
export function createGearScanner(table: Int32Array): GearScanner {
  if (table.length !== 256) throw new Error(`a gear table has 256 entries, not ${table.length}`);
  // Synchronous compile: the module is a few hundred bytes.
  const instance = new Instance(new Module(Buffer.from(GEAR_WASM, 'base64')));
  const wasm = instance.exports as unknown as GearExports;
  const pages = Math.ceil((TABLE_BYTES + WINDOW) / PAGE);
  wasm.memory.grow(pages - wasm.memory.buffer.byteLength / PAGE);
  const view = new DataView(wasm.memory.buffer);
  for (let i = 0; i < 256; i++) view.setInt32(i * 4, table[i]!, true);
  // Taken after growing: growing detaches the earlier ArrayBuffer.
  const heap = new Uint8Array(wasm.memory.buffer);
  let last = 0;
  return {
    scan(data, from, to, fp, mask) {
      while (from < to) {
        const n = Math.min(to - from, WINDOW);
        heap.set(data.subarray(from, from + n), TABLE_BYTES);
        const at = wasm.scan(TABLE_BYTES, TABLE_BYTES + n, fp, mask);
        fp = wasm.fp.value;
        if (at >= 0) {
          last = fp;
          return from + at - TABLE_BYTES;
        }
        from += n;
      }
      last = fp;
      return -1;
    },
    get fp() {
      return last;
    },
  };
}
