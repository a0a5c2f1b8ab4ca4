/**
 * The main thread's side of backup worker threads (backup-workers.ts), against a stand-in worker
 * (tests/support/fake-backup-worker.mjs): what a real one does (a sealed chunk with the file's
 * facts, its buffer given back once stored; a thread added for a large file), what it reports (a
 * file it cannot read, as the StrataError it was), and what it rarely does (dying after it was told
 * to send a chunk: the file fails, the promised blob is refused so the pack writer fails, and no
 * worker is left to take files).
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StrataError } from '../../shared/errors.js';
import type { BackupWorkerSetup } from '../../electron/engine/backup/backup-worker-protocol.js';
import { BackupWorkers, GROW_AT, type ChunkSink } from '../../electron/engine/backup/backup-workers.js';
import { DEFAULT_CHUNKING } from '../../electron/engine/vault/chunker.js';

const url = pathToFileURL(fileURLToPath(new URL('../support/fake-backup-worker.mjs', import.meta.url)));
const facts = { path: 'docs/a.txt', size: 3, mtimeMs: 1 };

async function pool(mode: string): Promise<BackupWorkers> {
  const setup = { keys: null, options: {}, chunking: DEFAULT_CHUNKING, mode } as BackupWorkerSetup;
  const p = await BackupWorkers.start(setup, 1, url);
  if (!p) throw new Error('the stand-in worker did not start');
  return p;
}

/**
 * A sink that wants every chunk and records what it was given to store: a copy of its bytes, as
 * they are the sink's only until its store settles (then the buffer goes back to the worker).
 */
function sink(): ChunkSink & { stored: { id: string; blob: Promise<Buffer> }[] } {
  const stored: { id: string; blob: Promise<Buffer> }[] = [];
  return {
    stored,
    known: () => false,
    store: async (id, blob) => {
      const copy = blob.then((b) => Buffer.from(b));
      stored.push({ id, blob: copy });
      await copy;
    },
    read: () => undefined,
    stopped: () => false,
  };
}

describe('backup worker threads, main side', () => {
  it('stores a sealed chunk and settles with the file facts the worker sent', async () => {
    const workers = await pool('ok');
    try {
      const s = sink();
      let read = 0;
      const result = await workers.backUp('/x/docs/a.txt', facts, { ...s, read: (n) => (read += n) });
      expect(result).toEqual({ ok: true, done: { sha256: '5'.repeat(64), bytes: 3, ids: ['a'.repeat(64)] } });
      expect(read).toBe(3);
      expect(s.stored.map((x) => x.id)).toEqual(['a'.repeat(64)]);
      expect([...(await s.stored[0]!.blob)]).toEqual([1, 2, 3]);
    } finally {
      await workers.close();
    }
  });

  it("gives a blob's buffer back to its worker once the blob is stored or known, not before", async () => {
    const workers = await pool('ok');
    try {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      let storing!: () => void;
      const called = new Promise<void>((resolve) => (storing = resolve));
      const held = sink();
      const result = workers.backUp('/x/docs/a.txt', facts, {
        ...held,
        store: async (id, blob) => {
          storing();
          await held.store(id, blob, 3);
          await gate; // the pack writer has not taken the blob yet
        },
      });
      await called;
      expect(workers.heldBuffers).toBe(1);
      open();
      expect(await result).toMatchObject({ ok: true });
      expect(workers.heldBuffers).toBe(0);
      // A chunk the vault already has is not stored: its buffer goes back at once.
      const known = await workers.backUp('/x/docs/b.txt', facts, { ...sink(), known: () => true });
      expect(known).toMatchObject({ ok: true });
      expect(workers.heldBuffers).toBe(0);
    } finally {
      await workers.close();
    }
  });

  it('adds a thread, up to its most, once a large file comes; small files leave it as it started', async () => {
    const setup = { keys: null, options: {}, chunking: DEFAULT_CHUNKING, mode: 'ok' } as BackupWorkerSetup;
    const workers = (await BackupWorkers.start(setup, 1, url, [], 2))!;
    try {
      for (const path of ['a', 'b', 'c']) await workers.backUp(`/x/${path}`, { ...facts, path }, sink());
      expect(await workers.threads()).toBe(1);
      const large = { ...facts, path: 'disk.img', size: GROW_AT };
      expect(await workers.backUp('/x/disk.img', large, sink())).toMatchObject({ ok: true });
      expect(await workers.threads()).toBe(2);
      // Never past its most.
      await workers.backUp('/x/disk2.img', { ...large, path: 'disk2.img' }, sink());
      expect(await workers.threads()).toBe(2);
      // The pool goes on taking files.
      const results = await Promise.all(
        ['d', 'e'].map((p) => workers.backUp(`/x/${p}`, { ...facts, path: p }, sink())),
      );
      expect(results).toEqual([expect.objectContaining({ ok: true }), expect.objectContaining({ ok: true })]);
    } finally {
      await workers.close();
    }
  });

  it('turns a read failure into the StrataError the main thread would have met', async () => {
    const workers = await pool('unreadable');
    try {
      const result = await workers.backUp('/x/docs/a.txt', facts, sink());
      expect(result).toMatchObject({ ok: false, reading: true });
      const err = (result as { error: unknown }).error;
      expect(err).toBeInstanceOf(StrataError);
      expect(err).toMatchObject({ code: 'permission', message: 'docs/a.txt cannot be read: permission denied' });
      expect((err as StrataError).hint).toMatch(/read access/);
    } finally {
      await workers.close();
    }
  });

  it('a worker that dies owing a chunk fails its file and refuses the promised blob; no worker is left', async () => {
    const workers = await pool('die-after-ask');
    try {
      const s = sink();
      const result = await workers.backUp('/x/docs/a.txt', facts, s);
      expect(result).toMatchObject({ ok: false, reading: false });
      expect(String((result as { error: unknown }).error)).toMatch(/a backup worker thread stopped/);
      // The pack writer waiting for that blob fails (other files may rely on the chunk).
      expect(s.stored.map((x) => x.id)).toEqual(['b'.repeat(64)]);
      await expect(s.stored[0]!.blob).rejects.toThrow(/a backup worker thread stopped/);
      expect(workers.size).toBe(0);
      expect(workers.backUp('/x/docs/b.txt', facts, sink())).toBeUndefined();
    } finally {
      await workers.close();
    }
  });
});
