/**
 * The built backup worker thread itself (dist/…/backup-worker.js), spoken to in its protocol: it
 * runs niced below the thread that feeds it; it cuts files at the one-chunk edge as the chunker
 * does; it fills buffers the main thread gives back; it can start before its setup is known and
 * take it as its first message; and a long queue of small files is worked through in slices, so
 * results go back to the main thread while the rest are still being read. Before, the thread worked through its whole queue first and then sat idle
 * until the main thread, which had had nothing to do meanwhile, sent more.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, truncateSync, utimesSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FromBackupWorker, ToBackupWorker } from '../../electron/engine/backup/backup-worker-protocol.js';
import { prestartWorkers, startWorkers } from '../../electron/engine/threads/start-workers.js';
import { createCodec } from '../../electron/engine/vault/blob-codec.js';
import { chunkBoundaries, DEFAULT_CHUNKING } from '../../electron/engine/vault/chunker.js';
import { put, randomBytes } from '../support/tree.js';

const script = fileURLToPath(new URL('../../dist/electron/engine/backup/backup-worker.js', import.meta.url));
const FILES = 200;

type Sealed = Extract<FromBackupWorker, { type: 'chunk' }>;

/** Has `worker` back up one file (as job 1) and gives the chunk message that ends it; a failure rejects. */
function backUpOne(worker: Worker, f: { abs: string; path: string; size: number; mtimeMs: number }): Promise<Sealed> {
  const ended = new Promise<Sealed>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (m: FromBackupWorker | FromBackupWorker[]) => {
      if (!Array.isArray(m)) return;
      for (const r of m) {
        if (r.type === 'failed') reject(new Error(r.error.message));
        if (r.type === 'chunk' && r.done) resolve(r);
      }
    });
  });
  const facts = { path: f.path, size: f.size, mtimeMs: f.mtimeMs };
  worker.postMessage([{ type: 'file', job: 1, abs: f.abs, facts }] satisfies ToBackupWorker[]);
  return ended;
}

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
        const r = await backUpOne(worker, f);
        expect(r.done!.ids).toEqual([r.id]); // one chunk
        expect(createCodec(keys, options).decode(Buffer.from(r.blob!), 'data', r.id)).toEqual(content);
        return r.id;
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

  it('fills a buffer the main thread gave back with the next blobs, leaving blobs it sent before intact', async () => {
    const keys = { keyId: '0123456789abcdef', encryptionKey: randomBytes(32), idKey: randomBytes(32) };
    const codec = createCodec(keys, { digestIds: true });
    const worker = new Worker(script, {
      workerData: { keys, options: { digestIds: true }, chunking: DEFAULT_CHUNKING },
    });
    try {
      const [longer, shorter] = [files[5]!, files[1]!];
      const first = await backUpOne(worker, longer);
      const kept = Buffer.from(first.blob!); // what the pack writer copied into its pack
      const given = first.blob!.buffer as ArrayBuffer;
      worker.postMessage([{ type: 'recycle', buffers: [given] }] satisfies ToBackupWorker[], [given]);
      expect(given.byteLength).toBe(0); // moved, not copied
      const second = await backUpOne(worker, shorter);
      expect(codec.decode(Buffer.from(second.blob!), 'data', second.id)).toEqual(readFileSync(shorter.abs));
      expect(codec.decode(kept, 'data', first.id)).toEqual(readFileSync(longer.abs));
      // The second blob was written over the first in the buffer given back: past its end, the
      // buffer still holds the tail of the first (fresh memory would be zeros).
      const under = Buffer.from(second.blob!.buffer, second.blob!.byteOffset, kept.length);
      expect(second.blob!.byteOffset).toBe(0);
      expect(under.subarray(second.blob!.length)).toEqual(kept.subarray(second.blob!.length));
    } finally {
      await worker.terminate();
    }
  });

  it('cuts files around the one-chunk size as the chunker does, and takes a file shorter than listed as changed', async () => {
    // Small chunks so that files at the edges are quick to make: a file up to minSize is read
    // whole as one chunk; past it, the chunker cuts it.
    const chunking = { minSize: 4096, avgSize: 8192, maxSize: 16384, normalization: 1 };
    const sizes = [0, 1, 4095, 4096, 4097, 20_000, 70_000];
    const dir = await mkdtemp(join(tmpdir(), 'strata-backup-worker-edges-'));
    const worker = new Worker(script, { workerData: { keys: null, options: {}, chunking } });
    try {
      const made = [];
      for (const size of sizes) {
        const path = `e${size}.bin`;
        const content = randomBytes(size);
        await put(dir, path, content);
        const s = await stat(join(dir, path));
        made.push({ abs: join(dir, path), path, size, mtimeMs: s.mtimeMs, content });
      }
      // Listed at 5,000 bytes, then cut to 3,000 with the same mtime: shorter than the walk saw.
      const shrunk = { abs: join(dir, 'shrunk.bin'), path: 'shrunk.bin', size: 5000 };
      await put(dir, shrunk.path, randomBytes(shrunk.size));
      const listed = await stat(shrunk.abs);
      truncateSync(shrunk.abs, 3000);
      utimesSync(shrunk.abs, listed.atime, listed.mtime);
      const results = new Map<number, { blobs: Buffer[]; ids: string[]; done?: { sha256: string; ids: string[] } }>();
      const failed = new Map<number, string>();
      const finished = new Promise<void>((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (m: FromBackupWorker | FromBackupWorker[]) => {
          if (!Array.isArray(m)) return;
          for (const r of m) {
            if (r.type === 'failed') failed.set(r.job, r.error.message);
            else if (r.type === 'chunk' || r.type === 'done') {
              const got = results.get(r.job) ?? { blobs: [], ids: [] };
              results.set(r.job, got);
              if (r.type === 'chunk') {
                got.ids.push(r.id);
                got.blobs.push(Buffer.from(r.blob!));
              }
              if (r.done) got.done = r.done;
            }
          }
          if ([...results.values()].filter((x) => x.done).length === sizes.length && failed.size === 1) resolve();
        });
      });
      worker.postMessage([
        ...made.map((f, job) => ({
          type: 'file' as const,
          job,
          abs: f.abs,
          facts: { path: f.path, size: f.size, mtimeMs: f.mtimeMs },
        })),
        {
          type: 'file' as const,
          job: 99,
          abs: shrunk.abs,
          facts: { path: shrunk.path, size: shrunk.size, mtimeMs: listed.mtimeMs },
        },
      ] satisfies ToBackupWorker[]);
      await finished;
      const codec = createCodec(null, {});
      made.forEach((f, job) => {
        const r = results.get(job)!;
        const cuts = f.size ? chunkBoundaries(f.content, chunking) : [];
        const pieces = cuts.map((end, i) => f.content.subarray(i ? cuts[i - 1] : 0, end));
        expect(r.done!.sha256, `${f.size} bytes`).toBe(createHash('sha256').update(f.content).digest('hex'));
        expect(r.done!.ids, `${f.size} bytes`).toEqual(pieces.map((p) => codec.id(p)));
        expect(r.ids).toEqual(r.done!.ids);
        expect(Buffer.concat(r.blobs.map((b, i) => codec.decode(b, 'data', r.ids[i]!)))).toEqual(f.content);
      });
      expect(chunkBoundaries(made[3]!.content, chunking)).toHaveLength(1); // minSize: one chunk
      expect(chunkBoundaries(made[5]!.content, chunking).length).toBeGreaterThan(1);
      expect(failed.get(99)).toMatch(/changed while/);
    } finally {
      await worker.terminate();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('starts before its setup is known and takes it as its first message; one lost before use is replaced', async () => {
    const url = pathToFileURL(script);
    const setup = { keys: null, options: {}, chunking: DEFAULT_CHUNKING };
    const early = prestartWorkers(url, 2);
    // One stops before the vault is open (as a thread that failed to load would).
    await early[1]!.terminate();
    await new Promise((r) => setTimeout(r, 50));
    const workers = await startWorkers(url, setup, 2, early);
    try {
      expect(workers).toHaveLength(2);
      expect(workers![0]).toBe(early[0]);
      expect(workers![1]).not.toBe(early[1]);
      const f = files[1]!;
      for (const w of workers!) {
        const r = await backUpOne(w, f);
        expect(r.done!.sha256).toBe(createHash('sha256').update(readFileSync(f.abs)).digest('hex'));
      }
    } finally {
      await Promise.all((workers ?? []).map((w) => w.terminate()));
    }
  });
});
