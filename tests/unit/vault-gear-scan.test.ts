import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createGearScanner } from '../../electron/engine/vault/gear-scan.js';
import { GEAR_WASM_STRING, compileGearScan } from '../../build/gear-scan-wasm.mjs';

const table = new Int32Array(256);
for (let i = 0; i < 256; i++) table[i] = (Math.imul(i + 1, 0x9e3779b1) ^ (i << 24)) | 0;

/** The loop gear-scan.wat implements, in plain JavaScript. */
function reference(data: Uint8Array, from: number, to: number, fp: number, mask: number): { at: number; fp: number } {
  for (let i = from; i < to; i++) {
    fp = ((fp << 1) + table[data[i]!]!) | 0;
    if ((fp & mask) === 0) return { at: i + 1, fp };
  }
  return { at: -1, fp };
}

describe('the gear scan in WebAssembly', () => {
  it('is the compiled gear-scan.wat', async () => {
    const ts = await readFile(new URL('../../electron/engine/vault/gear-scan.ts', import.meta.url), 'utf8');
    const embedded = GEAR_WASM_STRING.exec(ts)?.[2];
    expect(embedded, 'run node build/gear-scan-wasm.mjs after editing gear-scan.wat').toBe(await compileGearScan());
  });

  it('finds the same cut points and fingerprints as the JavaScript loop, across its copy windows', () => {
    const gear = createGearScanner(table);
    const data = randomBytes(1024 * 1024 + 4321);
    // Masks from "cut almost anywhere" to "never": cuts land inside, at the edges of, and past windows.
    for (const bits of [4, 12, 18, 20, 32]) {
      const mask = bits >= 32 ? -1 : ~(-1 >>> bits);
      let from = 7;
      let fp = 12345;
      let cuts = 0;
      while (from < data.length) {
        const want = reference(data, from, data.length, fp, mask);
        const at = gear.scan(data, from, data.length, fp, mask);
        expect([at, gear.fp]).toEqual([want.at, want.fp]);
        if (at < 0) break;
        cuts++;
        from = at;
        fp = 0;
      }
      if (bits <= 12) expect(cuts).toBeGreaterThan(100);
    }
  });

  it('scans a view at an offset, and an empty range', () => {
    const gear = createGearScanner(table);
    const whole = randomBytes(300_000);
    const view = whole.subarray(1000, 299_000);
    const want = reference(view, 5, view.length, -1, ~(-1 >>> 16));
    expect(gear.scan(view, 5, view.length, -1, ~(-1 >>> 16))).toBe(want.at);
    expect(gear.fp).toBe(want.fp);
    expect(gear.scan(view, 10, 10, 99, -1)).toBe(-1);
    expect(gear.fp).toBe(99);
  });

  it('refuses a table of the wrong size', () => {
    expect(() => createGearScanner(new Int32Array(10))).toThrow(/256 entries/);
  });
});
