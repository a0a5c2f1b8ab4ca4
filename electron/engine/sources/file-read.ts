import { constants, type Stats } from 'node:fs';
import { Readable } from 'node:stream';
import { StrataError, describeError } from '../../../shared/errors.js';
import type { LocalFs, SyncFs } from './local-fs.js';
import type { SyncGovernor } from './sync-governor.js';
import type { ReadHandle, SourceEntry } from './types.js';

/** Bytes per read of a streamed file. */
export const STREAM_CHUNK = 1024 * 1024;
/** Files up to this size may be read blocking; bigger reads gain more from overlapping. */
const SYNC_READ_MAX = 256 * 1024;

/** Never follow a link that replaced the file since the walk (Windows has no such flag). */
export const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

export function changedWhileReading(path: string): StrataError {
  return new StrataError(
    'changed-while-reading',
    `${path} changed while it was being read`,
    'it will be retried on the next run; pause whatever is writing it or exclude it',
  );
}

/** Plain-words error for a failed open/read of `path` (the entry's path, never a secret). */
export function readFailure(path: string, err: unknown): StrataError {
  if (err instanceof StrataError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return new StrataError(
        'permission',
        `${path} cannot be read: permission denied`,
        'give Strata read access to it or exclude it',
        { cause: err },
      );
    case 'ENOENT':
    case 'ENOTDIR':
      return new StrataError(
        'not-found',
        `${path} was deleted before it could be read`,
        'nothing to do: the next run records the deletion',
        { cause: err },
      );
    // Replaced by a link (O_NOFOLLOW) or a folder since the walk.
    case 'ELOOP':
    case 'EISDIR':
      return changedWhileReading(path);
    default:
      return new StrataError('io', `${path} cannot be read: ${describeError(err)}`, undefined, { cause: err });
  }
}

function sameAsEntry(s: Stats, entry: SourceEntry): boolean {
  return s.isFile() && s.size === entry.size && s.mtimeMs === entry.mtimeMs;
}

async function openForRead(fs: LocalFs, abs: string | Buffer, entry: SourceEntry): Promise<number> {
  try {
    return await fs.open(abs, OPEN_FLAGS);
  } catch (err) {
    throw readFailure(entry.path, err);
  }
}

/**
 * The whole file in one read, checked against the entry afterwards on the same descriptor
 * (fstat: size and mtime). A mismatch is retried once, then reported as changed-while-reading.
 */
export async function readWhole(
  fs: LocalFs,
  governor: SyncGovernor,
  abs: string | Buffer,
  entry: SourceEntry,
): Promise<Buffer> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    let content: Buffer | undefined;
    if (fs.sync !== undefined && governor.useSync && entry.size <= SYNC_READ_MAX) {
      await governor.pace();
      const sync = fs.sync;
      content = governor.run(() => readOnceSync(sync, abs, entry));
    } else {
      content = await readOnce(fs, abs, entry);
    }
    if (content !== undefined) return content;
  }
  throw changedWhileReading(entry.path);
}

/** undefined when the file is not what the entry describes (any more). */
async function readOnce(fs: LocalFs, abs: string | Buffer, entry: SourceEntry): Promise<Buffer | undefined> {
  const fd = await openForRead(fs, abs, entry);
  try {
    const buf = Buffer.allocUnsafe(entry.size);
    let got = 0;
    while (got < entry.size) {
      const n = await fs.read(fd, buf, got, entry.size - got, got);
      if (n === 0) return undefined; // shorter than when it was listed
      got += n;
    }
    return sameAsEntry(await fs.fstat(fd), entry) ? buf : undefined;
  } catch (err) {
    throw readFailure(entry.path, err);
  } finally {
    await fs.close(fd).catch(() => undefined);
  }
}

/** readOnce with blocking calls. */
function readOnceSync(sync: SyncFs, abs: string | Buffer, entry: SourceEntry): Buffer | undefined {
  let fd: number;
  try {
    fd = sync.open(abs, OPEN_FLAGS);
  } catch (err) {
    throw readFailure(entry.path, err);
  }
  try {
    const buf = Buffer.allocUnsafe(entry.size);
    let got = 0;
    while (got < entry.size) {
      const n = sync.read(fd, buf, got, entry.size - got, got);
      if (n === 0) return undefined;
      got += n;
    }
    return sameAsEntry(sync.fstat(fd), entry) ? buf : undefined;
  } catch (err) {
    throw readFailure(entry.path, err);
  } finally {
    try {
      sync.close(fd);
    } catch {
      // Closing a descriptor opened read-only cannot lose data.
    }
  }
}

/**
 * A stream of the file that errors, instead of ending, when the file turns out to have changed
 * while it was read: the check (fstat on the open descriptor) runs after the last byte and
 * before 'end', so a consumer piping it into an upload aborts rather than completes.
 */
export async function openChecked(fs: LocalFs, abs: string | Buffer, entry: SourceEntry): Promise<ReadHandle> {
  const fd = await openForRead(fs, abs, entry);
  const stream = new CheckedFileStream(fs, fd, entry);
  const done = new Promise<void>((resolve, reject) => {
    stream.once('end', resolve);
    stream.once('error', reject);
    stream.once('close', () => reject(new StrataError('io', `reading ${entry.path} was stopped before the end`)));
  });
  // Whoever never asks for unchanged() must not get an unhandled rejection.
  done.catch(() => undefined);
  return { stream, unchanged: () => done };
}

class CheckedFileStream extends Readable {
  private position = 0;
  /** The read in flight: the descriptor is closed only after it settles, never under it. */
  private inflight: Promise<void> = Promise.resolve();

  constructor(
    private readonly fs: LocalFs,
    private readonly fd: number,
    private readonly entry: SourceEntry,
  ) {
    super({ highWaterMark: STREAM_CHUNK });
  }

  override _read(): void {
    this.inflight = this.readNext().catch((err: unknown) => {
      this.destroy(readFailure(this.entry.path, err));
    });
  }

  private async readNext(): Promise<void> {
    const remaining = this.entry.size - this.position;
    if (remaining === 0) {
      if (!sameAsEntry(await this.fs.fstat(this.fd), this.entry)) throw changedWhileReading(this.entry.path);
      this.push(null);
      return;
    }
    const buf = Buffer.allocUnsafe(Math.min(STREAM_CHUNK, remaining));
    const bytesRead = await this.fs.read(this.fd, buf, 0, buf.length, this.position);
    if (bytesRead === 0) throw changedWhileReading(this.entry.path);
    this.position += bytesRead;
    this.push(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.inflight
      .then(() => this.fs.close(this.fd))
      .then(
        () => callback(err),
        (closeErr: unknown) => callback(err ?? (closeErr as Error)),
      );
  }
}
