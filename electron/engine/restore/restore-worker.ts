/**
 * A restore's worker thread: writes vault files into their temp files. Opening a blob (decrypt,
 * inflate, hash back to its id) and the file system calls are most of a restore's CPU, and one
 * thread held a restore to one core; each worker opens its own connection to the destination, so
 * only chunk locations and outcomes cross threads, never file content. Writes here are
 * synchronous: they block only this thread, and cost half what async calls do per file.
 */
import { closeSync, fchmodSync, futimesSync, openSync, renameSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { openDestination } from '../destinations/open-destination.js';
import { MemoryStore } from '../secrets/memory-store.js';
import { destinationSecretName } from '../secrets/secret-store.js';
import type { BlobLocation } from '../vault/blob-index.js';
import { createCodec } from '../vault/blob-codec.js';
import { BlobReader, DEFAULT_READ_AHEAD, PackCache } from '../vault/blob-reader.js';
import { DEFAULT_CHUNKING } from '../vault/chunker.js';
import { toWorkerError } from '../threads/worker-error.js';
import { youngCollector } from '../threads/young-collector.js';
import { integrityError } from './integrity-error.js';
import type { FromWorker, JobEvent, ToWorker, WorkerSetup, WriteJob } from './restore-worker-protocol.js';

/**
 * Files written at once here; the others wait their turn. A few overlap one file's reads with
 * another's writes; each holds a chunk or two, so the main thread may hand over many files (to
 * keep every worker busy through a run of small ones) without memory growing with them.
 */
const ACTIVE_FILES = 4;

/**
 * Pack spans kept: two read-aheads. A worker is handed files in runs of one span (restore-workers.ts)
 * and reads them in pack order, so older spans are seldom read again; each worker keeping 32 MiB
 * had restores touch ~100 MiB more memory, and fresh memory costs a page fault per 4 KiB.
 */
const CACHE_BYTES = 2 * DEFAULT_READ_AHEAD;
/** Spare span memory: what the files being read may still hold when their spans are dropped. */
const SPARE_SPAN_BYTES = CACHE_BYTES + ACTIVE_FILES * DEFAULT_READ_AHEAD;
/** Recycled plaintexts: a chunk at most for each file being written. */
const PLAIN_POOL_BYTES = ACTIVE_FILES * DEFAULT_CHUNKING.maxSize;
/** Bytes written between collections of the decrypted pieces dropped meanwhile (young-collector.ts). */
const COLLECT_EVERY = 8 * 1024 * 1024;
const dropped = youngCollector(COLLECT_EVERY);

const setup = workerData as WorkerSetup;
const port = parentPort!;
const post = (m: FromWorker): void => port.postMessage(m);

/** Events not yet sent: they go in one message when this turn of the event loop ends. */
let outbox: JobEvent[] = [];
function tell(event: JobEvent): void {
  const last = outbox[outbox.length - 1];
  // Bytes of one file in a row are one count.
  if (event.type === 'bytes' && last?.type === 'bytes' && last.job === event.job) last.n += event.n;
  else if (outbox.push(event) === 1) setImmediate(sendOutbox);
}
function sendOutbox(): void {
  const events = outbox;
  outbox = [];
  if (events.length) post({ type: 'events', events });
}

/** Chunk locations of the files being written, from their jobs; `users`: jobs that listed it. */
const table = new Map<string, { at: BlobLocation[]; users: number }>();
const cancelled = { now: false };

async function start(): Promise<BlobReader> {
  const d = setup.destination;
  const secrets = new MemoryStore(d.secret === undefined ? {} : { [destinationSecretName(d.id)]: d.secret });
  const dest = await openDestination(d.name, d.id, d.config, async () => secrets);
  const locator = { locations: (id: string) => table.get(id)?.at ?? [] };
  return new BlobReader(
    dest,
    createCodec(setup.keys, { ...setup.options, inflateHere: true }),
    locator,
    new PackCache(CACHE_BYTES, DEFAULT_READ_AHEAD, SPARE_SPAN_BYTES),
    PLAIN_POOL_BYTES,
  );
}

/** Writes all of `bytes` at `position` in the file (null: where the file's offset is). */
function writeAll(fd: number, bytes: Buffer, position: number | null): void {
  for (let at = 0; at < bytes.length;) {
    at += writeSync(fd, bytes, at, bytes.length - at, position === null ? null : position + at);
  }
}

/** Renames the finished file into place; false when the target is on another file system. */
function place(tmp: string, final: string): boolean {
  try {
    renameSync(tmp, final);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'EXDEV') return false;
    throw err;
  }
}

async function write(reader: BlobReader, job: WriteJob): Promise<void> {
  job.chunks.forEach((id, i) => {
    const known = table.get(id);
    if (known) known.users++;
    else table.set(id, { at: job.locations[i]!, users: 1 });
  });
  let fd: number | undefined;
  const part = job.offset !== undefined;
  try {
    // A part goes into the file the main thread made, beside the other parts.
    fd = part ? openSync(job.tmp, 'r+') : openSync(job.tmp, 'w', job.mode ?? 0o666);
    let length = 0;
    for (const id of job.chunks) {
      if (cancelled.now) throw Object.assign(new Error('the restore was cancelled'), { name: 'AbortError' });
      const plain = await reader.readPooled(id);
      writeAll(fd, plain, part ? job.offset! + length : null);
      length += plain.length;
      reader.recycle(plain);
      dropped(plain.length);
      tell({ type: 'bytes', job: job.job, n: plain.length });
    }
    if (length !== job.size) throw integrityError(job.path);
    if (part) {
      closeSync(fd);
      fd = undefined;
      tell({ type: 'done', job: job.job, placed: false });
      return;
    }
    if (job.chmod && job.mode !== undefined) fchmodSync(fd, job.mode);
    const t = new Date(job.mtime);
    futimesSync(fd, t, t);
    closeSync(fd);
    fd = undefined;
    tell({ type: 'done', job: job.job, placed: job.final !== undefined && place(job.tmp, job.final) });
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    tell({ type: 'failed', job: job.job, error: toWorkerError(err) });
  } finally {
    for (const id of job.chunks) {
      const known = table.get(id)!;
      if (--known.users === 0) table.delete(id);
    }
  }
}

let active = 0;
const queued: WriteJob[] = [];

function startNext(reader: BlobReader): void {
  while (active < ACTIVE_FILES && queued.length) {
    active++;
    void write(reader, queued.shift()!).finally(() => {
      active--;
      startNext(reader);
    });
  }
}

start().then(
  (reader) => {
    port.on('message', (m: ToWorker) => {
      if (m.type === 'cancel') cancelled.now = true;
      else {
        queued.push(...m.jobs);
        startNext(reader);
      }
    });
    post({ type: 'ready' });
  },
  (err: unknown) => post({ type: 'unavailable', reason: err instanceof Error ? err.message : String(err) }),
);
