import { describe, expect, it } from 'vitest';
import { youngCollector } from '../../electron/engine/threads/young-collector.js';

const MIB = 1024 * 1024;

/** Waits up to `ms` for `done`. */
async function within(ms: number, done: () => boolean): Promise<boolean> {
  for (const end = Date.now() + ms; !done() && Date.now() < end;) await new Promise((r) => setTimeout(r, 5));
  return done();
}

describe('youngCollector', () => {
  it('frees dropped buffers once the dropped bytes pass its threshold', async () => {
    const dropped = youngCollector(8 * MIB);
    const buffers = () => process.memoryUsage().arrayBuffers;
    const before = buffers();
    (() => {
      // Dropped as soon as made, as a restore drops each decrypted piece: only a collection frees them.
      for (let i = 0; i < 16; i++) Buffer.allocUnsafeSlow(MIB).fill(i);
    })();
    expect(buffers()).toBeGreaterThanOrEqual(before + 16 * MIB);
    for (let i = 0; i < 16; i++) dropped(MIB);
    expect(await within(2000, () => buffers() < before + 4 * MIB)).toBe(true);
  });

  it('counts across calls and starts again after each collection', () => {
    const dropped = youngCollector(10);
    // Any count, however many times: it never throws, below or past the threshold.
    for (let i = 0; i < 100; i++) dropped(3);
    dropped(0);
    dropped(1e9);
  });
});
