/**
 * A backup's worker thread: reads local files into a vault. Hashing (the file's SHA-256 and each
 * chunk's keyed id), chunking, compressing and sealing were nearly all of a vault backup's CPU,
 * on one thread; here each worker does them for whole files, and only ids, sizes and the sealed
 * blobs (moved, not copied) go back to the main thread, which packs them and keeps the index and
 * manifest. Reads are synchronous: they block only this thread. Several files are in progress at
 * once, each waiting at its own chunk for the main thread's answer (backup-worker-protocol.ts).
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createCodec } from '../vault/blob-codec.js';
import { BufferPool } from '../vault/buffer-pool.js';
import { streamChunker } from '../vault/chunker.js';
import { changedWhileReading, OPEN_FLAGS, readFailure } from '../sources/file-read.js';
import { lowerThreadPriority } from '../threads/lower-priority.js';
import { AWAIT_SETUP, type SetupMessage } from '../threads/start-workers.js';
import { toWorkerError } from '../threads/worker-error.js';
import {
  WINDOW_BYTES,
  type BackupWorkerSetup,
  type FileDone,
  type FileFacts,
  type FromBackupWorker,
  type ToBackupWorker,
} from './backup-worker-protocol.js';

/** Bytes per read. */
const PIECE = 1024 * 1024;
/** A chunk up to this size comes encoded with its id (see backup-worker-protocol.ts). */
const SEND_ENCODED_UP_TO = 256 * 1024;

/** How much nicer than the main thread a worker runs (see lower-priority.ts). */
const WORKER_NICENESS = 8;

const port = parentPort!;
/**
 * The vault's keys and chunking: given at start, or, for a thread started before the vault was
 * opened (see start-workers.ts), in its first message.
 */
let setup: BackupWorkerSetup;
let codec: ReturnType<typeof createCodec>;
lowerThreadPriority(WORKER_NICENESS);

/** A file being read: its answer awaited, and its blob bytes not yet credited back. */
interface Job {
  id: number;
  answer?: (need: boolean) => void;
  uncredited: number;
  credited?: () => void;
  stopped: boolean;
}
const jobs = new Map<number, Job>();

class Stopped extends Error {}

/**
 * Messages go out in one batch per turn of this thread's event loop: a message costs the main
 * thread ~10 µs to receive, and a backup of small files sends one per file.
 */
let outbox: FromBackupWorker[] = [];
/** The buffers the batch's blobs are views of, moved (not copied) with it. */
let moving = new Set<ArrayBuffer>();

function post(m: FromBackupWorker): void {
  if (!outbox.length) setImmediate(flush);
  outbox.push(m);
}

function flush(): void {
  const batch = outbox;
  const transfer = [...moving];
  outbox = [];
  moving = new Set();
  shared = undefined; // moved away with this batch
  port.postMessage(batch, transfer);
}

/**
 * Sealed blobs leave in buffers shared by the blobs of a batch, each blob a view of one: a buffer
 * per blob cost a join here, and the main thread an ArrayBuffer to track and free per blob
 * (20,000 per 640 MB of small files). A larger blob gets a buffer of its own.
 */
const SHARED_BYTES = 256 * 1024;
let shared: Buffer | undefined;
let sharedUsed = 0;

/**
 * Buffers for sealed blobs, and the ones the main thread gave back once their blobs were in a pack
 * (`recycle`). A fresh buffer costs a page fault per 4 KiB as it is filled (~10 µs each on a VM):
 * a backup of 640 MB of small files faulted ~11,000 times here before buffers came back. Every
 * buffer is at least SHARED_BYTES, so one given back can hold many small blobs.
 */
const outBuffers = new BufferPool(32 * 1024 * 1024);
const outBuffer = (length: number): Buffer => outBuffers.take(Math.max(length, SHARED_BYTES));

/** A chunk sealed into a view that the next batch moves to the main thread. */
function seal(chunk: Buffer, id: string): Uint8Array {
  const parts = codec.encodePartsHere?.(chunk, 'data', id) ?? [codec.encode(chunk, 'data', id)];
  let length = 0;
  for (const part of parts) length += part.length;
  let into: Buffer;
  let at = 0;
  if (length > SHARED_BYTES / 4) {
    into = outBuffer(length);
    moving.add(into.buffer as ArrayBuffer);
  } else {
    if (!shared || sharedUsed + length > shared.length) {
      shared = outBuffer(SHARED_BYTES);
      sharedUsed = 0;
      moving.add(shared.buffer as ArrayBuffer);
    }
    into = shared;
    at = sharedUsed;
    sharedUsed += length;
  }
  let to = at;
  for (const part of parts) {
    part.copy(into, to);
    to += part.length;
  }
  return new Uint8Array(into.buffer, into.byteOffset + at, length);
}

function ask(job: Job): Promise<boolean> {
  return new Promise((resolve) => (job.answer = resolve));
}

/** Waits while the file has WINDOW_BYTES on their way to a pack. */
async function room(job: Job): Promise<void> {
  while (job.uncredited > WINDOW_BYTES && !job.stopped) await new Promise<void>((r) => (job.credited = r));
  if (job.stopped) throw new Stopped();
}

/** Sends one chunk (see the protocol); resolves when the worker may read on. `known` is its id, when already worked out. */
async function sendChunk(job: Job, chunk: Buffer, ids: string[], done?: FileDone, known?: string): Promise<void> {
  await room(job);
  const id = known ?? codec.id(chunk);
  ids.push(id);
  const raw = chunk.length;
  const at = { job: job.id, id, ...(done ? { done } : {}) };
  if (raw <= SEND_ENCODED_UP_TO) {
    const blob = seal(chunk, id);
    job.uncredited += raw;
    post({ type: 'chunk', raw, blob, ...at });
    return;
  }
  post({ type: 'chunk', job: job.id, id, raw });
  const need = await ask(job);
  if (job.stopped) throw new Stopped();
  if (!need) {
    if (done) post({ type: 'done', job: job.id, done });
    return;
  }
  const blob = seal(chunk, id);
  job.uncredited += raw;
  post({ type: 'blob', blob, ...at });
}

const sameAsWalked = (s: Stats, facts: FileFacts): boolean =>
  s.isFile() && s.size === facts.size && s.mtimeMs === facts.mtimeMs;

/**
 * Read buffers, kept for the next file: a fresh one per file cost an allocation and, for the
 * kernel's copy into it, page faults on memory never touched before.
 */
const spare: Buffer[] = [];
const takePiece = (): Buffer => spare.pop() ?? Buffer.allocUnsafeSlow(PIECE);

/**
 * Reads `length` bytes of the file from `at` into `into`; false when it ends sooner (it is
 * shorter than when it was listed).
 */
function readFully(fd: number, into: Buffer, length: number, at: number, facts: FileFacts): boolean {
  for (let got = 0; got < length;) {
    let n: number;
    try {
      n = readSync(fd, into, got, length - got, at + got);
    } catch (err) {
      throw readFailure(facts.path, err);
    }
    if (n === 0) return false;
    got += n;
  }
  return true;
}

/**
 * One read of the file: its chunks sent as they come, the file checked on its descriptor at the
 * end (as the main thread's reads do); false when it is not what the walk saw (any more).
 */
async function readOnce(job: Job, abs: string | Buffer, facts: FileFacts): Promise<boolean> {
  let fd: number;
  try {
    fd = openSync(abs, OPEN_FLAGS);
  } catch (err) {
    throw readFailure(facts.path, err);
  }
  const piece = takePiece();
  try {
    const hash = createHash('sha256');
    const ids: string[] = [];
    // A file no longer than the shortest chunk is one chunk: read whole, it goes to the codec as
    // read, without the chunker's copy of it (most files of a tree of small files).
    if (facts.size > 0 && facts.size <= Math.min(setup.chunking.minSize, PIECE)) {
      const data = piece.subarray(0, facts.size);
      if (!readFully(fd, data, facts.size, 0, facts)) return false;
      hash.update(data);
      if (!sameAsWalked(fstatSync(fd), facts)) return false;
      const digest = hash.digest();
      const done = { sha256: digest.toString('hex'), bytes: facts.size, ids };
      // Its SHA-256 is the chunk's: where ids come from it, no second pass.
      await sendChunk(job, data, ids, done, codec.idOfDigest?.(digest));
      return true;
    }
    // Views into `piece` and one scratch buffer: each chunk is encoded before the next read.
    const chunker = streamChunker(setup.chunking, { reuse: true });
    let at = 0;
    while (at < facts.size) {
      const n = Math.min(piece.length, facts.size - at);
      if (!readFully(fd, piece, n, at, facts)) return false;
      at += n;
      const data = piece.subarray(0, n);
      hash.update(data);
      for (const chunk of chunker.push(data)) await sendChunk(job, chunk, ids);
    }
    // The rest of the file, in the chunker's own buffer: it carries the file's facts, once the
    // file is known not to have changed.
    const last = chunker.end();
    if (!sameAsWalked(fstatSync(fd), facts)) return false;
    const digest = hash.digest();
    const done = { sha256: digest.toString('hex'), bytes: at, ids };
    // A file of one chunk: its SHA-256 is the chunk's, so where ids come from it, no second pass.
    const whole = last && !ids.length && codec.idOfDigest ? codec.idOfDigest(digest) : undefined;
    if (last) await sendChunk(job, last, ids, done, whole);
    else post({ type: 'done', job: job.id, done });
    return true;
  } finally {
    spare.push(piece);
    try {
      closeSync(fd);
    } catch {
      // Closing a descriptor opened read-only cannot lose data.
    }
  }
}

/** A file that changed while read is read once more, as the main thread's reads do. */
async function backUp(m: Extract<ToBackupWorker, { type: 'file' }>): Promise<void> {
  const abs = typeof m.abs === 'string' ? m.abs : Buffer.from(m.abs.buffer, m.abs.byteOffset, m.abs.length);
  const job: Job = { id: m.job, uncredited: 0, stopped: false };
  jobs.set(m.job, job);
  try {
    for (let attempt = 1; ; attempt++) {
      if (await readOnce(job, abs, m.facts)) return;
      if (attempt === 2) throw changedWhileReading(m.facts.path);
    }
  } catch (err) {
    if (!(err instanceof Stopped)) post({ type: 'failed', job: m.job, error: toWorkerError(err) });
  } finally {
    jobs.delete(m.job);
  }
}

/**
 * Files read at once here; the others wait their turn. A few hide the waits for the main thread's
 * answers; each holds up to a read piece and a chunk or two of buffers, so more only cost memory.
 */
const ACTIVE_FILES = 4;
/**
 * Small files never wait on the main thread, so one finishing and the next starting are only
 * promise callbacks: without a break the thread worked through its whole queue before its event
 * loop sent the results on or took in new files, and then sat idle waiting for more. A file that
 * ends past this much work starts the next one on a later turn, once results are out.
 */
const SLICE_MS = 2;
let active = 0;
let sliceStart = performance.now();
let yielding = false;
const queued: Extract<ToBackupWorker, { type: 'file' }>[] = [];

function startNext(): void {
  if (yielding) return;
  while (active < ACTIVE_FILES && queued.length) {
    active++;
    void backUp(queued.shift()!).finally(() => {
      active--;
      if (performance.now() - sliceStart < SLICE_MS) startNext();
      else if (!yielding) {
        yielding = true;
        setImmediate(() => {
          yielding = false;
          sliceStart = performance.now();
          startNext();
        });
      }
    });
  }
}

function receive(m: ToBackupWorker): void {
  if (m.type === 'file') {
    queued.push(m);
    startNext();
    return;
  }
  if (m.type === 'recycle') {
    for (const ab of m.buffers) outBuffers.adopt(ab);
    return;
  }
  const job = jobs.get(m.job);
  if (!job) return;
  if (m.type === 'answer') {
    const answer = job.answer;
    job.answer = undefined;
    answer?.(m.need);
    return;
  }
  if (m.type === 'stored') job.uncredited -= m.bytes;
  else job.stopped = true;
  const credited = job.credited;
  job.credited = undefined;
  credited?.();
  if (job.stopped) job.answer?.(false);
}

function begin(given: BackupWorkerSetup): void {
  setup = given;
  codec = createCodec(setup.keys, setup.options);
  port.on('message', (batch: ToBackupWorker[]) => batch.forEach(receive));
  port.postMessage({ type: 'ready' } satisfies FromBackupWorker);
}

const given = workerData as BackupWorkerSetup | typeof AWAIT_SETUP;
if (given === AWAIT_SETUP) port.once('message', (m: SetupMessage) => begin(m.setup as BackupWorkerSetup));
else begin(given);
