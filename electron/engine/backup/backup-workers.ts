/**
 * The main thread's side of a vault backup's worker threads (backup-worker.ts): hands each local
 * file to the least busy worker, answers its questions about chunks from the vault's pack writer
 * (through a ChunkSink), and settles with the file's hash and chunk ids, or with why it failed.
 *
 * When workers cannot start (no worker script beside this module, as when the engine runs from
 * source in tests; a packaged app that cannot load it; one core) the backup reads files in the
 * main thread as before. A worker that dies fails the files it held; a chunk it had promised
 * fails the pack writer, since other files may already rely on that chunk being stored.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { StrataError } from '../../../shared/errors.js';
import { startWorkers, workerScriptUrl } from '../threads/start-workers.js';
import { errorFrom } from '../threads/worker-error.js';
import type {
  BackupWorkerSetup,
  FileDone,
  FileFacts,
  FromBackupWorker,
  ToBackupWorker,
} from './backup-worker-protocol.js';

/** Where a worker's chunks go: the vault session's pack writer. */
export interface ChunkSink {
  /** True when the vault has the chunk (`raw` bytes) or this run already took it (the sink counts it as skipped). */
  known(id: string, raw: number): boolean;
  /**
   * Queues a chunk's sealed blob, once it comes; settles when it is in a pack (the backpressure).
   * The blob's bytes are the sink's only until then: they go back to the worker to be reused.
   */
  store(id: string, blob: Promise<Buffer>, raw: number): Promise<unknown>;
  /** Bytes of the file read (progress). */
  read(n: number): void;
  /** True once the file should be given up: the run was cancelled. */
  stopped(): boolean;
}

/** A file's outcome: its facts, or why not, and whether that was reading it or storing it. */
export type WorkerFileResult = { ok: true; done: FileDone } | { ok: false; error: unknown; reading: boolean };

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (err: unknown) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

interface Job {
  sink: ChunkSink;
  settle: (r: WorkerFileResult) => void;
  /**
   * The blob the worker was told to send, and the store waiting for it (its outcome is handled by
   * `storing`; the blob's buffer goes back once it settles).
   */
  asked?: { blob: Deferred<Buffer>; store: Promise<unknown> };
  /** Every store of the file's blobs so far: it is done once they all are. */
  stores: Promise<unknown>;
}

interface Slot {
  worker: Worker;
  alive: boolean;
  jobs: Map<number, Job>;
  /** Messages sent once per turn of the event loop, as one batch (see backup-worker.ts). */
  outbox: ToBackupWorker[];
  flushing: boolean;
  /**
   * The worker's buffers here, with how many of their blobs are still to be stored; at none, a
   * buffer is moved back to the worker with the next batch (`back`).
   */
  held: Map<ArrayBuffer, number>;
  back: ArrayBuffer[];
}

/** The worker script, when it is there to run (unpacked beside an asar archive in the desktop app). */
export function backupWorkerUrl(): URL | undefined {
  return workerScriptUrl('./backup-worker.js', import.meta.url);
}

/**
 * Worker threads worth running: one per core, up to four; none on one core. Unlike a restore's,
 * they never wait on a read long (files come from the page cache or a local disk), and the
 * main thread keeps real work of its own (the walk, the index, packing).
 */
export function backupWorkerCount(): number {
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(4, cores);
}

/**
 * Worker threads a backup starts with: one core is left to the main thread, whose work per file
 * (walk, index, packing) is most of a tree of small files. On two cores, one worker backed up
 * 20,000 small files ~2 % faster than two and with 0.5 s less CPU (each thread's isolate compiles
 * and collects on its own), but a tree with large files 25 % slower: see GROW_AT.
 */
export function backupWorkersAtFirst(): number {
  return Math.min(backupWorkerCount(), availableParallelism() - 1);
}

/**
 * A file this large adds a thread, up to backupWorkerCount(): hashing and sealing its bytes, not
 * the main thread's work per file, is then what takes the time.
 */
export const GROW_AT = 1024 * 1024;

function flushSoon(slot: Slot): void {
  if (slot.flushing) return;
  slot.flushing = true;
  setImmediate(() => {
    slot.flushing = false;
    const batch = slot.outbox;
    // A buffer moved already (byteLength 0) cannot be moved again: it would fail the whole batch.
    const back = slot.back.filter((ab) => ab.byteLength > 0);
    slot.outbox = [];
    slot.back = [];
    if (back.length) batch.push({ type: 'recycle', buffers: back });
    if (slot.alive && batch.length) slot.worker.postMessage(batch, back);
  });
}

function send(slot: Slot, m: ToBackupWorker): void {
  slot.outbox.push(m);
  flushSoon(slot);
}

/** One blob of `blob`'s buffer is stored or not needed; the last one sends the buffer back. */
function release(slot: Slot, blob: Uint8Array): void {
  const ab = blob.buffer as ArrayBuffer;
  const held = slot.held.get(ab);
  if (held === undefined) return;
  const left = held - 1;
  if (left > 0) {
    slot.held.set(ab, left);
    return;
  }
  slot.held.delete(ab);
  if (!slot.alive) return;
  slot.back.push(ab);
  flushSoon(slot);
}

const asBuffer = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.length);

const slotOf = (worker: Worker): Slot => ({
  worker,
  alive: true,
  jobs: new Map<number, Job>(),
  outbox: [],
  flushing: false,
  held: new Map<ArrayBuffer, number>(),
  back: [],
});

export class BackupWorkers {
  private next = 1;
  /** A thread being added (see GROW_AT); closing waits for it. */
  private growing: Promise<void> | undefined;
  private closed = false;

  private constructor(
    private readonly slots: Slot[],
    private readonly started: { setup: BackupWorkerSetup; url: URL; most: number },
  ) {}

  /**
   * `count` threads now, and up to `most` once a file of GROW_AT bytes or more comes.
   * `prestarted`: threads begun before the vault was open (see WorkerPools), used first.
   */
  static async start(
    setup: BackupWorkerSetup,
    count: number,
    url: URL,
    prestarted: Worker[] = [],
    most = count,
  ): Promise<BackupWorkers | undefined> {
    const workers = await startWorkers(url, setup, count, prestarted);
    if (!workers) return undefined;
    const pool = new BackupWorkers(workers.map(slotOf), { setup, url, most });
    for (const s of pool.slots) pool.listen(s);
    return pool;
  }

  get size(): number {
    return this.slots.filter((s) => s.alive).length;
  }

  /** Threads running, once any being added has started. */
  async threads(): Promise<number> {
    await this.growing;
    return this.size;
  }

  /** Adds a thread for a large file, up to `most`; one that cannot start leaves the pool as it is. */
  private grow(size: number): void {
    if (size < GROW_AT || this.growing || this.closed || this.slots.length >= this.started.most) return;
    const { url, setup } = this.started;
    this.growing = startWorkers(url, setup, 1).then(
      async (workers) => {
        const worker = workers?.[0];
        if (!worker || this.closed) {
          if (!worker) this.started.most = this.slots.length; // no second try
          await worker?.terminate();
          return;
        }
        const slot = slotOf(worker);
        this.slots.push(slot);
        this.listen(slot);
      },
      () => {
        this.started.most = this.slots.length;
      },
    );
    void this.growing.finally(() => (this.growing = undefined));
  }

  /** Workers' buffers with blobs still on their way to a pack (none once every file has settled). */
  get heldBuffers(): number {
    let n = 0;
    for (const s of this.slots) n += s.held.size;
    return n;
  }

  /**
   * Has a worker read the file at `abs` (what the walk saw: `facts`) into the sink. undefined when
   * no worker is left to do it (the caller reads it itself).
   */
  backUp(abs: string | Buffer, facts: FileFacts, sink: ChunkSink): Promise<WorkerFileResult> | undefined {
    const slot = this.slots.filter((s) => s.alive).sort((a, b) => a.jobs.size - b.jobs.size)[0];
    if (!slot) return undefined;
    this.grow(facts.size);
    const job = this.next++;
    return new Promise<WorkerFileResult>((settle) => {
      slot.jobs.set(job, { sink, settle, stores: Promise.resolve() });
      send(slot, { type: 'file', job, abs, facts });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.growing;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private listen(slot: Slot): void {
    const end = (id: number, result: WorkerFileResult): void => {
      const job = slot.jobs.get(id);
      if (!job) return;
      slot.jobs.delete(id);
      if (!result.ok) send(slot, { type: 'stop', job: id });
      job.asked?.blob.reject(result.ok ? new Error('no blob came') : result.error);
      job.settle(result);
    };
    /** `blob` goes back to the worker once `store` settles: until then the pack writer may still read it. */
    const releaseAfter = (store: Promise<unknown>, blob: Uint8Array): void => {
      const done = (): void => release(slot, blob);
      store.then(done, done);
    };
    /** A blob on its way to a pack: credited back to the worker once there; its failure fails the file. */
    const storing = (id: number, job: Job, stored: Promise<unknown>, raw: number, credit = true): void => {
      job.stores = Promise.all([job.stores, stored]);
      job.stores.catch(() => undefined); // reported below, once
      stored.then(
        () => credit && send(slot, { type: 'stored', job: id, bytes: raw }),
        (error: unknown) => end(id, { ok: false, error, reading: false }),
      );
    };
    const finish = (id: number, job: Job, done: FileDone): void => {
      job.stores.then(
        () => end(id, { ok: true, done }),
        (error: unknown) => end(id, { ok: false, error, reading: false }),
      );
    };
    const handle = (m: FromBackupWorker): void => {
      if (m.type === 'ready') return;
      const job = slot.jobs.get(m.job);
      if (!job) {
        if ('blob' in m && m.blob) release(slot, m.blob);
        return;
      }
      switch (m.type) {
        case 'chunk': {
          job.sink.read(m.raw);
          if (job.sink.stopped()) {
            if (m.blob) release(slot, m.blob);
            const error = Object.assign(new Error('the backup was cancelled'), { name: 'AbortError' });
            end(m.job, { ok: false, error, reading: true });
            return;
          }
          if (m.blob) {
            // A file's last chunk needs no credit back: nothing of the file is left to read.
            if (job.sink.known(m.id, m.raw)) {
              release(slot, m.blob);
              if (!m.done) send(slot, { type: 'stored', job: m.job, bytes: m.raw });
            } else {
              const stored = job.sink.store(m.id, Promise.resolve(asBuffer(m.blob)), m.raw);
              releaseAfter(stored, m.blob);
              storing(m.job, job, stored, m.raw, !m.done);
            }
            if (m.done) finish(m.job, job, m.done);
          } else if (job.sink.known(m.id, m.raw)) {
            send(slot, { type: 'answer', job: m.job, need: false });
          } else {
            const blob = deferred<Buffer>();
            job.asked = { blob, store: job.sink.store(m.id, blob.promise, m.raw) };
            storing(m.job, job, job.asked.store, m.raw);
            send(slot, { type: 'answer', job: m.job, need: true });
          }
          return;
        }
        case 'blob':
          if (job.asked) {
            job.asked.blob.resolve(asBuffer(m.blob));
            releaseAfter(job.asked.store, m.blob);
          } else release(slot, m.blob);
          job.asked = undefined;
          if (m.done) finish(m.job, job, m.done);
          return;
        case 'done':
          finish(m.job, job, m.done);
          return;
        case 'failed':
          end(m.job, { ok: false, error: errorFrom(m.error), reading: true });
      }
    };
    slot.worker.on('message', (batch: FromBackupWorker[]) => {
      // Every blob of the batch counted first: a buffer shared by several must not go back when
      // the first of them turns out to be known.
      for (const m of batch) {
        if ((m.type === 'chunk' || m.type === 'blob') && m.blob) {
          const ab = m.blob.buffer as ArrayBuffer;
          slot.held.set(ab, (slot.held.get(ab) ?? 0) + 1);
        }
      }
      batch.forEach(handle);
    });
    // A worker that dies fails its files; a blob it owed fails the pack writer (see the top).
    const gone = (err?: unknown): void => {
      if (!slot.alive) return;
      slot.alive = false;
      const error = new StrataError(
        'internal',
        `a backup worker thread stopped${err instanceof Error ? `: ${err.message}` : ''}`,
        'run the backup again',
      );
      for (const id of [...slot.jobs.keys()]) end(id, { ok: false, error, reading: false });
    };
    slot.worker.on('error', gone);
    slot.worker.on('exit', () => gone());
  }
}
