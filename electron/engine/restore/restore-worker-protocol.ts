/** The messages between a restore and its worker threads (restore-worker.ts, restore-workers.ts). */
import type { DestinationConfig } from '../destinations/config.js';
import type { CodecOptions } from '../vault/blob-codec.js';
import type { BlobLocation } from '../vault/blob-index.js';
import type { RepoKeys } from '../vault/repo-key.js';
import type { WorkerError } from '../threads/worker-error.js';

/** What a worker opens: the store below the vault (with its secret) and the vault's keys. */
export interface WorkerSetup {
  destination: { name: string; id: string; config: DestinationConfig; secret?: string | undefined };
  /** Spelt out: RepoKeys hides its fields from enumeration, which a structured clone needs. */
  keys: RepoKeys | null;
  options: CodecOptions;
}

/** One file (or one part of a large file) for a worker to write. */
export interface WriteJob {
  job: number;
  /** For messages only. */
  path: string;
  /** The temp file to create and fill. */
  tmp: string;
  /** Where it then goes (renamed over what is there), when the main thread has no more to check. */
  final: string | undefined;
  chunks: string[];
  /** Where each chunk's copies are, in the order of `chunks`. */
  locations: BlobLocation[][];
  size: number;
  /** Created with this mode (less the umask); with `chmod`, set exactly afterwards. */
  mode: number | undefined;
  chmod: boolean;
  mtime: number;
  /**
   * Set for one part of a large file split across workers: `chunks` are written from this byte
   * on into `tmp`, which the main thread created; `size` is the part's, and the main thread
   * sets the mode and time and places the file once every part is in (`final` is unset).
   */
  offset?: number;
}

/**
 * Files go over in batches, and what happens to them comes back in batches (one message per turn
 * of the sender's event loop): a message between threads costs both a wake-up and a callback, and
 * one per file and per chunk (~14,000 for a restore of 4,561 files) cost ~0.5 s of CPU there, 5-7 %
 * of the restore's time on two cores.
 */
export type ToWorker = { type: 'write'; jobs: WriteJob[] } | { type: 'cancel' };

/** What happened to a job, in the order it happened. */
export type JobEvent =
  | { type: 'bytes'; job: number; n: number }
  /** `placed`: renamed to its final name; false when that is left to the main thread (another file system). */
  | { type: 'done'; job: number; placed: boolean }
  | { type: 'failed'; job: number; error: WorkerError };

export type FromWorker =
  { type: 'ready' } | { type: 'unavailable'; reason: string } | { type: 'events'; events: JobEvent[] };
