import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { StrataError, describeError } from '../../../shared/errors.js';
import type { Destination } from '../destinations/types.js';
import { filesKey, historyKey, manifestKey, newSnapshotId } from '../repository/keys.js';
import { ManifestWriter, type WrittenManifest } from '../repository/manifest-writer.js';
import type { ManifestEntry, ManifestHeader } from '../repository/manifest-schema.js';
import type { RunStatus } from '../store/run-store.js';

/** Errors after which a destination takes no more work in this run. */
const FATAL_CODES = new Set(['auth', 'bucket-missing', 'region', 'clock-skew', 'permission', 'disk-full', 'not-found']);

export function isFatalForDestination(err: unknown): boolean {
  return err instanceof StrataError && FATAL_CODES.has(err.code);
}

/** Counters of a session that has sent nothing yet. */
export function emptyCounters(): SessionCounters {
  return { filesTotal: 0, bytesTotal: 0, filesUploaded: 0, bytesUploaded: 0, filesDeleted: 0, filesFailed: 0 };
}

export interface SessionCounters {
  filesTotal: number;
  bytesTotal: number;
  filesUploaded: number;
  bytesUploaded: number;
  filesDeleted: number;
  filesFailed: number;
  /** What the run added to the destination, when not the files it uploaded (a vault's packs and index). */
  storedBytes?: number;
  storedObjects?: number;
}

/**
 * One (source, destination) pair within a run: its manifest being written, its counters,
 * and the mirror-layout operations (upload, preserve-before-overwrite, delete).
 */
export class DestinationSession {
  readonly snapshotId: string;
  readonly writer: ManifestWriter;
  readonly counters: SessionCounters = emptyCounters();
  /** Set when the destination failed as a whole (bad key, disk full…): no manifest is written. */
  fatal: StrataError | undefined;
  readonly startedAt = Date.now();

  constructor(
    readonly destId: string,
    readonly destName: string,
    readonly dest: Destination,
    readonly sourceName: string,
    readonly sourceId: string,
    header: Omit<ManifestHeader, 'snapshotId' | 'sourceId' | 'sourceName' | 'layout'>,
    tmpDir: string,
    now: Date,
    layout: ManifestHeader['layout'] = 'mirror',
  ) {
    this.snapshotId = newSnapshotId(now, randomBytes(4).toString('hex'));
    this.writer = new ManifestWriter(join(tmpDir, `${this.snapshotId}-${destId}.json.gz`), {
      ...header,
      snapshotId: this.snapshotId,
      sourceId,
      sourceName,
      layout,
    });
  }

  keyFor(path: string): string {
    return filesKey(this.sourceName, path, this.prefixBytes());
  }

  private prefixBytes(): number {
    return Buffer.byteLength(this.dest.label) + 1;
  }

  /** Before files/<path> is replaced or removed, its content moves to history/ so older snapshots still resolve. */
  async preserve(path: string): Promise<void> {
    const key = this.keyFor(path);
    const info = await this.dest.head(key, { withSha256: true });
    if (!info?.sha256) return;
    await this.dest.copy(key, historyKey(key, info.sha256));
  }

  async remove(path: string): Promise<void> {
    await this.preserve(path);
    await this.dest.delete([this.keyFor(path)]);
    this.counters.filesDeleted++;
  }

  fail(err: unknown): void {
    if (!this.fatal) {
      this.fatal =
        err instanceof StrataError ? err : new StrataError('internal', `${this.destName}: ${describeError(err)}`);
    }
  }

  async add(entry: ManifestEntry): Promise<void> {
    if (entry.type === 'file') {
      this.counters.filesTotal++;
      this.counters.bytesTotal += entry.size ?? 0;
    }
    await this.writer.add(entry);
  }

  /** Writes the manifest last, after a durability barrier: only then does the snapshot exist. */
  async commit(now: Date): Promise<WrittenManifest & { key: string }> {
    await this.dest.flush();
    const written = await this.writer.finish(now);
    const key = manifestKey(this.sourceId, this.snapshotId);
    await this.dest.putStream(key, createReadStream(written.file), { size: written.size, sha256: written.sha256 });
    await this.dest.flush();
    return { ...written, key };
  }

  status(): RunStatus {
    if (this.fatal) return 'failed';
    return this.counters.filesFailed > 0 ? 'partial' : 'ok';
  }
}
