/**
 * What `strata versions` learns from manifests, kept so each manifest is read once: per
 * (destination, source, path) every distinct content by SHA-256 with the first and last snapshot
 * holding it and how many do. Snapshots are folded in oldest first; folding one again (after a
 * crash part-way) changes nothing. When a folded snapshot disappears (prune) or an older one
 * appears, the caller resets the series and folds it again: counts cannot be taken back.
 */
import type { Db } from '../store/database.js';

export interface FoldedEntry {
  path: string;
  sha256: string;
  size: number;
  mtime: number;
}

export interface StoredVersion {
  sha256: string;
  size: number;
  /** The file's mtime as the newest snapshot holding this content recorded it. */
  mtime: number;
  firstId: string;
  firstTime: number;
  lastId: string;
  lastTime: number;
  snapshots: number;
}

/** Which snapshots to fold, and whether what is folded must be thrown away first. */
export function planFold(folded: readonly string[], listed: readonly string[]): { reset: boolean; toFold: string[] } {
  const have = new Set(folded);
  const now = new Set(listed);
  const newest = folded.reduce<string | undefined>((m, id) => (m === undefined || id > m ? id : m), undefined);
  const missing = folded.some((id) => !now.has(id));
  const fresh = [...now].filter((id) => !have.has(id)).sort();
  const older = newest !== undefined && fresh.some((id) => id < newest);
  if (missing || older) return { reset: true, toFold: [...now].sort() };
  return { reset: false, toFold: fresh };
}

/** Newest first: by the last snapshot holding it, then by when it first appeared. */
export function newestFirst<T extends { lastSeen: number; firstSeen: number; destination: string }>(list: T[]): T[] {
  return [...list].sort(
    (a, b) => b.lastSeen - a.lastSeen || b.firstSeen - a.firstSeen || a.destination.localeCompare(b.destination),
  );
}

export class VersionCache {
  private readonly upsert;
  private readonly foldedStmt;
  private readonly markStmt;
  private readonly ofStmt;

  constructor(private readonly db: Db) {
    // Snapshot ids sort by time; a row counts a snapshot once however often it is folded.
    this.upsert = db.prepare(
      `INSERT INTO file_versions (dest_id, source_id, path, sha256, size, mtime_ms, first_id, first_time, last_id, last_time, snapshots)
       VALUES (@destId, @sourceId, @path, @sha256, @size, @mtime, @id, @time, @id, @time, 1)
       ON CONFLICT (dest_id, source_id, path, sha256) DO UPDATE SET
         snapshots = file_versions.snapshots + (excluded.last_id > file_versions.last_id),
         mtime_ms = CASE WHEN excluded.last_id >= file_versions.last_id THEN excluded.mtime_ms ELSE file_versions.mtime_ms END,
         size = CASE WHEN excluded.last_id >= file_versions.last_id THEN excluded.size ELSE file_versions.size END,
         last_time = CASE WHEN excluded.last_id > file_versions.last_id THEN excluded.last_time ELSE file_versions.last_time END,
         last_id = max(excluded.last_id, file_versions.last_id),
         first_time = CASE WHEN excluded.first_id < file_versions.first_id THEN excluded.first_time ELSE file_versions.first_time END,
         first_id = min(excluded.first_id, file_versions.first_id)`,
    );
    this.foldedStmt = db.prepare('SELECT snapshot_id FROM version_folds WHERE dest_id = ? AND source_id = ?');
    this.markStmt = db.prepare(
      'INSERT OR IGNORE INTO version_folds (dest_id, source_id, snapshot_id) VALUES (?, ?, ?)',
    );
    this.ofStmt = db.prepare(
      `SELECT sha256, size, mtime_ms, first_id, first_time, last_id, last_time, snapshots FROM file_versions
       WHERE dest_id = ? AND source_id = ? AND path = ? ORDER BY last_id DESC, first_id DESC`,
    );
  }

  folded(destId: string, sourceId: string): string[] {
    return (this.foldedStmt.all(destId, sourceId) as { snapshot_id: string }[]).map((r) => r.snapshot_id);
  }

  reset(destId: string, sourceId: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM file_versions WHERE dest_id = ? AND source_id = ?').run(destId, sourceId);
      this.db.prepare('DELETE FROM version_folds WHERE dest_id = ? AND source_id = ?').run(destId, sourceId);
    })();
  }

  /** Adds one batch of a snapshot's file entries (call `markFolded` once all of them are in). */
  fold(destId: string, sourceId: string, snapshot: { id: string; time: number }, entries: FoldedEntry[]): void {
    if (!entries.length) return;
    this.db.transaction(() => {
      for (const e of entries) {
        this.upsert.run({ destId, sourceId, id: snapshot.id, time: snapshot.time, ...e });
      }
    })();
  }

  markFolded(destId: string, sourceId: string, snapshotId: string): void {
    this.markStmt.run(destId, sourceId, snapshotId);
  }

  versionsOf(destId: string, sourceId: string, path: string): StoredVersion[] {
    return (
      this.ofStmt.all(destId, sourceId, path) as {
        sha256: string;
        size: number;
        mtime_ms: number;
        first_id: string;
        first_time: number;
        last_id: string;
        last_time: number;
        snapshots: number;
      }[]
    ).map((r) => ({
      sha256: r.sha256,
      size: r.size,
      mtime: r.mtime_ms,
      firstId: r.first_id,
      firstTime: r.first_time,
      lastId: r.last_id,
      lastTime: r.last_time,
      snapshots: r.snapshots,
    }));
  }
}
