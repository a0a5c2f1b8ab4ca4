/**
 * The messages between a backup and its worker threads (backup-worker.ts, backup-workers.ts).
 *
 * Per file: the main thread sends `file`; the worker reads it, and for each chunk sends `chunk`
 * with its id. A chunk of a small file comes already encoded (`blob`): asking first would cost
 * more messages than encoding one the vault turns out to have. For a larger chunk the main thread
 * answers whether the vault needs it (`answer`), and the worker then sends its `blob`. Each blob's
 * bytes are credited back (`stored`) once it is in a pack; a worker keeps at most WINDOW_BYTES of
 * a file uncredited, which bounds what waits in the main thread while it reads on. The last
 * message of a file carries its `done` facts (hash, size, chunk ids).
 *
 * Blobs travel as views of buffers moved (not copied) to the main thread; once every blob of a
 * buffer is in a pack (or not needed), the buffer is moved back (`recycle`) for the worker to
 * fill again, so a backup does not fault in fresh memory for every blob.
 *
 * Messages travel in batches, one per turn of the sender's event loop.
 */
import type { CodecOptions } from '../vault/blob-codec.js';
import type { ChunkingOptions } from '../vault/chunker.js';
import type { RepoKeys } from '../vault/repo-key.js';
import type { WorkerError } from '../threads/worker-error.js';

export interface BackupWorkerSetup {
  /** Spelt out: RepoKeys hides its fields from enumeration, which a structured clone needs. */
  keys: RepoKeys | null;
  options: CodecOptions;
  chunking: ChunkingOptions;
}

/** What the walk saw: the file is read only if it still is that. */
export interface FileFacts {
  /** For messages only (the source-relative path). */
  path: string;
  size: number;
  mtimeMs: number;
}

export interface FileDone {
  sha256: string;
  bytes: number;
  /** The file's chunk ids, in order. */
  ids: string[];
}

/** Blob bytes a file may have on their way to a pack before its worker waits. */
export const WINDOW_BYTES = 8 * 1024 * 1024;

export type ToBackupWorker =
  | { type: 'file'; job: number; abs: string | Uint8Array; facts: FileFacts }
  /** Whether the vault needs the chunk last asked about. */
  | { type: 'answer'; job: number; need: boolean }
  | { type: 'stored'; job: number; bytes: number }
  /** Give the file up (the run was cancelled, or its blobs cannot be stored). */
  | { type: 'stop'; job: number }
  /** Buffers whose blobs are all in packs, moved back for reuse. */
  | { type: 'recycle'; buffers: ArrayBuffer[] };

export type FromBackupWorker =
  | { type: 'ready' }
  | { type: 'chunk'; job: number; id: string; raw: number; blob?: Uint8Array; done?: FileDone }
  | { type: 'blob'; job: number; id: string; blob: Uint8Array; done?: FileDone }
  | { type: 'done'; job: number; done: FileDone }
  | { type: 'failed'; job: number; error: WorkerError };
