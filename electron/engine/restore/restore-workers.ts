/**
 * The main thread's side of a restore's worker threads (restore-worker.ts): starts them, hands
 * each vault file to one, and turns what comes back into the errors the restore already knows
 * (a full disk, a cancel, damage). Files go to a worker in runs of about 16 MiB, so the small files
 * of one pack are read by one worker, not fetched again by each.
 *
 * When workers cannot start (no worker script beside this module, as when the engine runs from
 * source in tests; or a packaged app that cannot load it) or one dies, the restore goes on in the
 * main thread: `write` answers false and the caller writes the file itself.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { errorFrom } from '../threads/worker-error.js';
import { startWorkers, workerScriptUrl } from '../threads/start-workers.js';
import { DEFAULT_READ_AHEAD } from '../vault/blob-reader.js';
import type {
  FromWorker,
  JobEvent,
  ToWorker,
  WorkerSetup,
  WriteJob as WriteMessage,
} from './restore-worker-protocol.js';

/**
 * Bytes handed to one worker before the next file may go to a less busy one: the span a worker
 * reads ahead in a pack (DEFAULT_READ_AHEAD), so a run of small files is read once, by one worker,
 * and the next run goes to another. At 16 MiB a tree of small files kept one worker busy and the
 * others idle (the main thread has only so many files out at once).
 */
const RUN_BYTES = DEFAULT_READ_AHEAD;

/** Files out to the workers at once: enough for a run of small files on each of them. */
export const FILES_OUT_TO_WORKERS = 512;

type WriteJob = Omit<WriteMessage, 'job'>;

/** 'placed': in its final place; 'written': in its temp file; false: no worker wrote it. */
export type WorkerOutcome = 'placed' | 'written' | false;

interface Pending {
  resolve: (outcome: WorkerOutcome) => void;
  reject: (err: Error) => void;
  onBytes: (n: number) => void;
  size: number;
}

interface Slot {
  worker: Worker;
  alive: boolean;
  pendingBytes: number;
  jobs: Map<number, Pending>;
  /** Jobs not yet sent: they go in one message when this turn of the event loop ends. */
  outbox: WriteMessage[];
}

/** The worker script, when it is there to run (unpacked beside an asar archive in the desktop app). */
export function restoreWorkerUrl(): URL | undefined {
  return workerScriptUrl('./restore-worker.js', import.meta.url);
}

/**
 * Worker threads worth starting here, up to four; none on one core. From a bucket, one more than
 * the cores: a worker waiting for a read leaves its core to another (measured 10-15 % faster on
 * two cores). From a local disk, whose reads wait little, one per core: a third thread on two
 * cores made a 1 GiB restore 5-13 % slower, its isolate and buffers costing more than it hid.
 */
export function restoreWorkerCount(fromLocalDisk = false): number {
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(4, fromLocalDisk ? cores : cores + 1);
}

export class RestoreWorkers {
  private next = 1;
  private current: Slot | undefined;
  private sentToCurrent = 0;
  private flushing = false;

  private constructor(private readonly slots: Slot[]) {}

  get size(): number {
    return this.slots.filter((s) => s.alive).length;
  }

  /** Workers started, alive or not: each has its lane, 0 to lanes - 1 (write's `tmpIn`). */
  get lanes(): number {
    return this.slots.length;
  }

  /** Starts `count` workers; undefined when any of them cannot open the destination or load. */
  static async start(setup: WorkerSetup, count: number, url: URL): Promise<RestoreWorkers | undefined> {
    const workers = await startWorkers(url, setup, count);
    if (!workers) return undefined;
    const slots = workers.map((worker) => ({
      worker,
      alive: true,
      pendingBytes: 0,
      jobs: new Map<number, Pending>(),
      outbox: [],
    }));
    const pool = new RestoreWorkers(slots);
    for (const s of slots) pool.listen(s);
    return pool;
  }

  private listen(slot: Slot): void {
    slot.worker.on('message', (m: FromWorker) => {
      if (m.type === 'events') for (const e of m.events) this.settle(slot, e);
    });
    // A worker that dies leaves its files to the main thread (their temp files are started over).
    const gone = (): void => {
      slot.alive = false;
      slot.outbox = [];
      for (const job of slot.jobs.values()) job.resolve(false);
      slot.jobs.clear();
      if (this.current === slot) this.current = undefined;
    };
    slot.worker.on('error', gone);
    slot.worker.on('exit', gone);
  }

  private settle(slot: Slot, e: JobEvent): void {
    const job = slot.jobs.get(e.job);
    if (!job) return;
    if (e.type === 'bytes') {
      job.onBytes(e.n);
      return;
    }
    slot.jobs.delete(e.job);
    slot.pendingBytes -= job.size;
    if (e.type === 'done') job.resolve(e.placed ? 'placed' : 'written');
    else job.reject(errorFrom(e.error));
  }

  /**
   * Has a worker write the file into `job.tmp`, with its mode and mtime, then move it to
   * `job.final` when given. `tmpIn(lane)` names the temp file, given the lane of the worker picked
   * (a folder of its own, so workers do not wait on each other's creates); not called when no
   * worker is left. Settles once it is written and checked (WorkerOutcome); false when no worker
   * can (the caller writes it); throws what went wrong with it.
   */
  write(
    job: Omit<WriteJob, 'tmp'>,
    tmpIn: (lane: number) => string,
    onBytes: (n: number) => void,
  ): Promise<WorkerOutcome> {
    const slot = this.pick();
    if (!slot) return Promise.resolve<WorkerOutcome>(false);
    this.sentToCurrent += job.size;
    return this.send(slot, { ...job, tmp: tmpIn(this.slots.indexOf(slot)) }, onBytes);
  }

  /**
   * Has the workers write the parts of one large file (each job with its `offset`, into a `tmp`
   * the caller made), each part to another worker, the least busy first: one worker writing a
   * large file alone left the others idle at the end of a restore. Settles per part as `write`.
   */
  writeParts(parts: WriteJob[], onBytes: (n: number) => void): Promise<WorkerOutcome>[] {
    const live = this.slots.filter((s) => s.alive).sort((a, b) => a.pendingBytes - b.pendingBytes);
    if (!live.length) return parts.map(() => Promise.resolve<WorkerOutcome>(false));
    return parts.map((job, i) => this.send(live[i % live.length]!, job, onBytes));
  }

  private send(slot: Slot, job: WriteJob, onBytes: (n: number) => void): Promise<WorkerOutcome> {
    const id = this.next++;
    slot.pendingBytes += job.size;
    return new Promise<WorkerOutcome>((resolve, reject) => {
      slot.jobs.set(id, { resolve, reject, onBytes, size: job.size });
      slot.outbox.push({ ...job, job: id });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushing = false;
    for (const s of this.slots) {
      if (!s.outbox.length) continue;
      const jobs = s.outbox;
      s.outbox = [];
      if (s.alive) s.worker.postMessage({ type: 'write', jobs } satisfies ToWorker);
    }
  }

  private pick(): Slot | undefined {
    if (this.current?.alive && this.sentToCurrent < RUN_BYTES) return this.current;
    const live = this.slots.filter((s) => s.alive);
    this.current = live.sort((a, b) => a.pendingBytes - b.pendingBytes)[0];
    this.sentToCurrent = 0;
    return this.current;
  }

  /** Workers stop before their next chunk; their files fail as cancelled. */
  cancel(): void {
    this.flush();
    for (const s of this.slots) if (s.alive) s.worker.postMessage({ type: 'cancel' } satisfies ToWorker);
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
