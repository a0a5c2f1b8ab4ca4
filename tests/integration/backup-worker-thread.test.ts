/**
 * The built backup worker thread itself (dist/…/backup-worker.js), spoken to in its protocol: it
 * runs niced below the thread that feeds it, and a long queue of small files is worked through in
 * slices, so results go back to the main thread while the rest are still being read. Before, the thread worked through its whole queue first
 * and then sat idle until the main thread, which had had nothing to do meanwhile, sent more.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FromBackupWorker, ToBackupWorker } from '../../electron/engine/backup/backup-worker-protocol.js';
import { createCodec } from '../../electron/engine/vault/blob-codec.js';
import { DEFAULT_CHUNKING } from '../../electron/engine/vault/chunker.js';
import { put, randomBytes } from '../support/tree.js';

const script = fileURLToPath(new URL('../../dist/electron/engine/backup/backup-worker.js', import.meta.url));
const FILES = 200;

describe('the backup worker thread', () => {
  let work: string;
  const files: { abs: string; path: string; size: number; mtimeMs: number }[] = [];

  beforeAll(async () => {
    if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build first`);
    work = await mkdtemp(join(tmpdir(), 'strata-backup-worker-'));
    for (let i = 0; i < FILES; i++) {
      const path = `f${i}.bin`;
      await put(work, path, randomBytes(64 * 1024 + i));
      const s = await stat(join(work, path));
      files.push({ abs: join(work, path), path, size: s.size, mtimeMs: s.mtimeMs });
    }
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('runs at a lower priority than the thread that feeds it (on Linux, where threads have their own)', async () => {
    if (!existsSync('/proc/thread-self')) {
      console.log('backup-worker-thread: no per-thread priorities on this OS; the worker keeps the process priority');
      return;
    }
    const niceOf = (tid: string): number => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]); // field 19: nice
    };
    const mine = niceOf(String(process.pid));
    const before = new Set(readdirSync('/proc/self/task'));
    const worker = new Worker(script, { workerData: { keys: null, options: {}, chunking: DEFAULT_CHUNKING } });
    try {
      await new Promise((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      const added = readdirSync('/proc/self/task').filter((t) => !before.has(t));
      expect(added.map(niceOf)).toContain(Math.min(19, mine + 8));
      expect(niceOf(String(process.pid))).toBe(mine);
    } finally {
      await worker.terminate();
    }
  });

  it('sends results on in several batches while it works through a long queue', async () => {
    const worker = new Worker(script, { workerData: { keys: null, options: {}, chunking: DEFAULT_CHUNKING } });
    try {
      const batches: number[] = [];
      const done = new Map<number, string>();
      const finished = new Promise<void>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (m: FromBackupWorker | FromBackupWorker[]) => {
          if (!Array.isArray(m)) return; // 'ready'
          batches.push(m.length);
          for (const r of m) {
            if (r.type === 'failed') reject(new Error(r.error.message));
            if (r.type === 'chunk' && r.done) done.set(r.job, r.done.sha256);
          }
          if (done.size === FILES) resolve();
        });
      });
      const batch: ToBackupWorker[] = files.map((f, job) => ({
        type: 'file',
        job,
        abs: f.abs,
        facts: { path: f.path, size: f.size, mtimeMs: f.mtimeMs },
      }));
      worker.postMessage(batch);
      await finished;
      expect(done.size).toBe(FILES);
      // Every file, one sealed chunk each, in more than one batch: each batch is a slice of work.
      expect(batches.reduce((a, b) => a + b, 0)).toBe(FILES);
      expect(batches.length).toBeGreaterThan(1);
    } finally {
      await worker.terminate();
    }
  });

  it("names a one-chunk file's chunk by the vault's scheme: from the file's SHA-256 in a v2 vault, the plaintext in a v1", async () => {
    const keys = { keyId: '0123456789abcdef', encryptionKey: randomBytes(32), idKey: randomBytes(32) };
    const f = files[0]!;
    const content = readFileSync(f.abs);
    const idFrom = async (options: { digestIds?: boolean }): Promise<string> => {
      const worker = new Worker(script, { workerData: { keys, options, chunking: DEFAULT_CHUNKING } });
      try {
        const id = new Promise<string>((resolve, reject) => {
          worker.on('error', reject);
          worker.on('message', (m: FromBackupWorker | FromBackupWorker[]) => {
            if (!Array.isArray(m)) return;
            for (const r of m) {
              if (r.type === 'failed') reject(new Error(r.error.message));
              if (r.type === 'chunk' && r.done) {
                expect(r.done.ids).toEqual([r.id]); // one chunk
                expect(createCodec(keys, options).decode(Buffer.from(r.blob!), 'data', r.id)).toEqual(content);
                resolve(r.id);
              }
            }
          });
        });
        const file = { path: f.path, size: f.size, mtimeMs: f.mtimeMs };
        worker.postMessage([{ type: 'file', job: 1, abs: f.abs, facts: file }] satisfies ToBackupWorker[]);
        return await id;
      } finally {
        await worker.terminate();
      }
    };
    const v2 = await idFrom({ digestIds: true });
    const v1 = await idFrom({});
    expect(v2).toBe(createCodec(keys, { digestIds: true }).id(content));
    expect(v1).toBe(createCodec(keys).id(content));
    expect(v2).not.toBe(v1);
  });
});
