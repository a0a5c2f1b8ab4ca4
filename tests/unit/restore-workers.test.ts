/**
 * How a restore hands files to its worker threads (restore-workers.ts), against a stand-in worker
 * (tests/support/fake-restore-worker.mjs) that reports which thread wrote each file: a run of small
 * files goes to one worker at a time, in runs about the size a worker reads ahead in a pack, so a
 * tree of small files keeps every worker busy (with runs of 16 MiB, and a restore's files out at
 * once, one worker took them all), while the files of one run stay with one worker.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RestoreWorkers } from '../../electron/engine/restore/restore-workers.js';
import { DEFAULT_READ_AHEAD } from '../../electron/engine/vault/blob-reader.js';

const url = pathToFileURL(fileURLToPath(new URL('../support/fake-restore-worker.mjs', import.meta.url)));
const setup = {
  destination: { name: 'd', id: 'd1', config: { kind: 'local', path: '/nowhere' } },
  keys: null,
  options: {},
};
const KiB = 1024;

describe('restore worker threads, main side', () => {
  it('spreads a tree of small files over every worker, one read-ahead run at a time', async () => {
    const pool = await RestoreWorkers.start(setup as never, 3, url);
    if (!pool) throw new Error('the stand-in workers did not start');
    try {
      const size = 40 * KiB;
      const files = 600; // 24 MiB: six runs
      const wroteBy: number[] = [];
      await Promise.all(
        Array.from({ length: files }, (_, i) =>
          pool.write(
            {
              path: `code/f${i}`,
              tmp: `/nowhere/t${i}`,
              final: `/nowhere/f${i}`,
              chunks: [],
              locations: [],
              size,
              mode: undefined,
              chmod: false,
              mtime: 0,
            },
            (thread) => (wroteBy[i] = thread),
          ),
        ),
      );
      expect(wroteBy.filter((t) => t !== undefined)).toHaveLength(files);
      // Every worker wrote some of them.
      expect(new Set(wroteBy).size).toBe(3);
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
});
