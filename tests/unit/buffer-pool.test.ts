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
