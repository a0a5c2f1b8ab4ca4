import type { Readable } from 'node:stream';

/**
 * One thing found under a source's root. `path` is relative to the root, '/'-separated,
 * without a leading slash ('' is the root itself). Names that are not valid UTF-8 carry
 * their raw bytes in `rawPath` and a lossless escaped form in `path`.
 */
export interface SourceEntry {
  type: 'file' | 'dir' | 'symlink';
  path: string;
  rawPath?: Buffer | undefined;
  size: number;
  mtimeMs: number;
  /** Local files only: lets a rename-in-place be told from new content. */
  inode?: number | undefined;
  /** What the source says identifies this version (a bucket object's ETag): changed identity, changed content. */
  identity?: string | undefined;
  /** A bucket object's Content-Type and user metadata, learnt when it is read (for a restore into a bucket). */
  details?: ObjectDetails | undefined;
  /** What the source needs to read this entry again (a Drive file id); opaque to the rest. */
  ref?: string | undefined;
  /** The size is known only once read (an exported Google Doc): `size` is 0 until then. */
  sizeUnknown?: boolean | undefined;
  /**
   * Produced while it is read (a command's output): always streamed, never read whole, its size
   * counted as it goes; a failure fails the snapshot rather than keeping an older version.
   */
  streamed?: boolean | undefined;
  /** POSIX permission bits. */
  mode?: number | undefined;
  /** Symlinks only: the link's target exactly as stored. */
  linkTarget?: string | undefined;
}

export interface ObjectDetails {
  contentType?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

/** Something under the root that could not be read; the walk goes on past it. */
export interface SourceProblem {
  type: 'error';
  path: string;
  error: string;
}

export type WalkItem = SourceEntry | SourceProblem;

export interface WalkOptions {
  /** True when the entry (a dir when isDir) must be skipped; a skipped dir is not descended. */
  isExcluded?: (path: string, isDir: boolean) => boolean;
}

export interface ReadHandle {
  stream: Readable;
  /** Resolves after the stream ended; rejects if the file changed while it was read. */
  unchanged(): Promise<void>;
}

/** A place files are read from: a local folder, an S3-compatible bucket, a Google Drive, a command's output. */
export interface Source {
  readonly kind: 'local' | 'bucket' | 'gdrive' | 'command';
  readonly label: string;
  /** Streaming walk: never holds the whole tree in memory. */
  walk(opts?: WalkOptions): AsyncIterable<WalkItem>;
  /** Reads a whole small file (one read), failing if it changed while read. */
  readSmall(entry: SourceEntry): Promise<Buffer>;
  /** Streams a file, with a check that it did not change while read. */
  openStream(entry: SourceEntry): Promise<ReadHandle>;
}
