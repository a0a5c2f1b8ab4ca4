/**
 * How a restore hands files to its worker threads (restore-workers.ts), against a stand-in worker
 * (tests/support/fake-restore-worker.mjs) that reports which thread wrote each file: a run of small
 * files goes to one worker at a time, in runs about the size a worker reads ahead in a pack, so a
 * tree of small files keeps every worker busy (with runs of 16 MiB, and a restore's files out at
 * once, one worker took them all), while the files of one run stay with one worker.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { splitForWorkers } from '../../electron/engine/restore/restore.js';
import { RestoreWorkers } from '../../electron/engine/restore/restore-workers.js';
import { DEFAULT_READ_AHEAD } from '../../electron/engine/vault/blob-reader.js';

const url = pathToFileURL(fileURLToPath(new URL('../support/fake-restore-worker.mjs', import.meta.url)));
const setup = {
  destination: { name: 'd', id: 'd1', config: { kind: 'local', path: '/nowhere' } },
  keys: null,
  options: {},
};
const KiB = 1024;
const MiB = 1024 * KiB;

/** A write job for file `i` with no chunks (the stand-in worker only reports who wrote it). */
const job = (i: number, size: number, extra: { final?: string; offset?: number } = {}) => ({
  path: `f${i}`,
  tmp: `/nowhere/t${i}`,
  final: undefined as string | undefined,
  chunks: [],
  locations: [],
  size,
  mode: undefined,
  chmod: false,
  mtime: 0,
  ...extra,
});

describe('restore worker threads, main side', () => {
  it('spreads a tree of small files over every worker, one read-ahead run at a time', async () => {
    const pool = await RestoreWorkers.start(setup as never, 3, url);
    if (!pool) throw new Error('the stand-in workers did not start');
    try {
      const size = 40 * KiB;
      const files = 600; // 24 MiB: six runs
      const wroteBy: number[] = [];
      const laneOf: number[] = [];
      const posted = vi.spyOn(Worker.prototype, 'postMessage');
      await Promise.all(
        Array.from({ length: files }, (_, i) =>
          pool.write(
            job(i, size, { final: `/nowhere/f${i}` }),
            (lane) => ((laneOf[i] = lane), `/nowhere/w${lane}/t${i}`),
            (thread) => (wroteBy[i] = thread),
          ),
        ),
      );
      // Handed over in batches, not a message per file.
      expect(posted.mock.calls.length).toBeGreaterThan(0);
      expect(posted.mock.calls.length).toBeLessThanOrEqual(6);
      posted.mockRestore();
      expect(wroteBy.filter((t) => t !== undefined)).toHaveLength(files);
      // Every worker wrote some of them.
      expect(new Set(wroteBy).size).toBe(3);
      // Each worker made its files in its own lane, and every file's temp name came from it.
      expect(pool.lanes).toBe(3);
      const laneOfThread = new Map<number, Set<number>>();
      wroteBy.forEach((t, i) => laneOfThread.set(t, (laneOfThread.get(t) ?? new Set()).add(laneOf[i]!)));
      expect([...laneOfThread.values()].map((l) => l.size)).toEqual([1, 1, 1]);
      expect(new Set([...laneOfThread.values()].flatMap((l) => [...l]))).toEqual(new Set([0, 1, 2]));
      // In runs: consecutive files share a worker for about a read-ahead span of bytes.
      const runs: number[] = [];
      let run = 0;
      wroteBy.forEach((t, i) => {
        run += size;
        if (i === files - 1 || wroteBy[i + 1] !== t) {
          runs.push(run);
          run = 0;
        }
      });
      expect(runs.length).toBeGreaterThanOrEqual(6);
      for (const r of runs.slice(0, -1)) expect(r).toBeGreaterThanOrEqual(DEFAULT_READ_AHEAD - size);
      for (const r of runs) expect(r).toBeLessThanOrEqual(DEFAULT_READ_AHEAD + size);
    } finally {
      await pool.close();
    }
  });

  it('sends the parts of a large file each to another worker, the least busy first', async () => {
    const pool = await RestoreWorkers.start(setup as never, 3, url);
    if (!pool) throw new Error('the stand-in workers did not start');
    try {
      // One worker busy with a small file: the parts go to the other two first.
      let busy = 0;
      const small = pool.write(
        job(0, 1 * MiB),
        (lane) => `/nowhere/w${lane}/t0`,
        (t) => (busy = t),
      );
      const by: number[] = [];
      const parts = pool.writeParts([job(1, 20 * MiB, { offset: 0 }), job(1, 20 * MiB, { offset: 20 * MiB })], (t) =>
        by.push(t),
      );
      expect(await Promise.all(parts)).toEqual(['written', 'written']);
      await small;
      expect(new Set(by).size).toBe(2);
      expect(by).not.toContain(busy);
    } finally {
      await pool.close();
    }
  });
});

describe('splitting a large file across workers', () => {
  const loc = (rawLength: number) => [{ packId: 'p', kind: 'data' as const, offset: 0, length: rawLength, rawLength }];
  const file = (sizes: number[]) => ({
    chunks: sizes.map((_, i) => `c${i}`),
    locations: sizes.map(loc),
    size: sizes.reduce((a, b) => a + b, 0),
  });

  it('cuts at chunk boundaries into contiguous parts of about equal size, with their offsets', () => {
    const f = file(Array.from({ length: 60 }, (_, i) => MiB + i * KiB));
    const parts = splitForWorkers(f.chunks, f.locations, f.size, 3)!;
    expect(parts).toHaveLength(3);
    expect(parts.flatMap((p) => p.chunks)).toEqual(f.chunks);
    let offset = 0;
    for (const p of parts) {
      expect(p.offset).toBe(offset);
      expect(p.size).toBe(p.locations.reduce((a, l) => a + l[0]!.rawLength, 0));
      expect(Math.abs(p.size - f.size / 3)).toBeLessThanOrEqual(2 * MiB);
      offset += p.size;
    }
    expect(offset).toBe(f.size);
  });

  it('keeps parts at 16 MiB or more, and writes a file whole below 32 MiB, with one worker, or with a chunk the index lacks', () => {
    const f = file(Array.from({ length: 40 }, () => MiB));
    expect(splitForWorkers(f.chunks, f.locations, f.size, 4)).toHaveLength(2);
    const small = file(Array.from({ length: 31 }, () => MiB));
    expect(splitForWorkers(small.chunks, small.locations, small.size, 4)).toBeUndefined();
    expect(splitForWorkers(f.chunks, f.locations, f.size, 1)).toBeUndefined();
    const missing = [...f.locations];
    missing[7] = [];
    expect(splitForWorkers(f.chunks, missing, f.size, 4)).toBeUndefined();
  });
});
