import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../electron/engine/vault/buffer-pool.js';

describe('BufferPool', () => {
  it('hands a given-back buffer out again, in its power-of-two size', () => {
    const pool = new BufferPool();
    const a = pool.take(100_000);
    expect(a.length).toBe(100_000);
    expect(a.buffer.byteLength).toBe(128 * 1024);
    pool.give(a.subarray(10, 20)); // any view of it gives it back
    expect(pool.idleBytes).toBe(128 * 1024);
    const b = pool.take(70_000);
    expect(b.buffer).toBe(a.buffer);
    expect(pool.idleBytes).toBe(0);
  });

  it('ignores a repeated give, and buffers it never handed out', () => {
    const pool = new BufferPool();
    const a = pool.take(200_000);
    pool.give(a);
    pool.give(a);
    pool.give(Buffer.alloc(200_000));
    expect(pool.idleBytes).toBe(256 * 1024);
    // One buffer never goes to two users.
    const b = pool.take(200_000);
    const c = pool.take(200_000);
    expect(b.buffer).toBe(a.buffer);
    expect(c.buffer).not.toBe(a.buffer);
  });

  it('adopts a buffer of its sizes that went to another thread and came back, and no other', () => {
    const pool = new BufferPool();
    const a = pool.take(300_000);
    a.fill(7);
    // A move (as postMessage's transfer list does) arrives as a new ArrayBuffer with the same bytes.
    const moved = a.buffer as ArrayBuffer;
    const back = structuredClone(moved, { transfer: [moved] });
    expect(moved.byteLength).toBe(0);
    pool.give(Buffer.from(back)); // unknown to give(): not one of the buffers it handed out
    expect(pool.idleBytes).toBe(0);
    pool.adopt(back);
    expect(pool.idleBytes).toBe(512 * 1024);
    const b = pool.take(400_000);
    expect(b.buffer).toBe(back);
    expect(b[0]).toBe(7);
    // Sizes it never hands out, and a detached buffer (byteLength 0), are not kept.
    for (const odd of [new ArrayBuffer(300_000), new ArrayBuffer(1024), new ArrayBuffer(32 * 1024 * 1024), moved])
      pool.adopt(odd);
    expect(pool.idleBytes).toBe(0);
  });

  it('serves tiny and huge asks fresh, and keeps no more idle than its cap', () => {
    const pool = new BufferPool(256 * 1024, 1024 * 1024);
    const tiny = pool.take(100);
    const huge = pool.take(2 * 1024 * 1024);
    pool.give(tiny);
    pool.give(huge);
    expect(pool.idleBytes).toBe(0);
    const held = [pool.take(200_000), pool.take(200_000), pool.take(200_000)];
    for (const b of held) pool.give(b);
    expect(pool.idleBytes).toBe(256 * 1024);
  });
});
