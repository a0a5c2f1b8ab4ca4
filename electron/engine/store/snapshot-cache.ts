import type { Db } from './database.js';

export interface CachedSnapshot {
  destId: string;
  snapshotId: string;
  sourceId: string;
  sourceName: string;
  time: number;
  files: number;
  bytes: number;
  errors: number;
  manifestKey: string;
}

/** Manifests seen on destinations, and which one the file status of each (source, destination) follows. */
export class SnapshotCache {
  constructor(private readonly db: Db) {}

  put(s: CachedSnapshot): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO snapshots (dest_id, snapshot_id, source_id, source_name, time, files, bytes, errors, manifest_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(s.destId, s.snapshotId, s.sourceId, s.sourceName, s.time, s.files, s.bytes, s.errors, s.manifestKey);
  }

  /** Replaces the cached list of a destination with what it holds now. */
  replaceAll(destId: string, list: CachedSnapshot[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM snapshots WHERE dest_id = ?').run(destId);
      for (const s of list) this.put(s);
    })();
  }

  remove(destId: string, snapshotIds: string[]): void {
    const del = this.db.prepare('DELETE FROM snapshots WHERE dest_id = ? AND snapshot_id = ?');
    this.db.transaction(() => {
      for (const id of snapshotIds) del.run(destId, id);
    })();
  }

  list(destId: string): CachedSnapshot[] {
    return (
      this.db.prepare('SELECT * FROM snapshots WHERE dest_id = ? ORDER BY time, snapshot_id').all(destId) as {
        dest_id: string;
        snapshot_id: string;
        source_id: string;
        source_name: string;
        time: number;
        files: number;
        bytes: number;
        errors: number;
        manifest_key: string;
      }[]
    ).map((r) => ({
      destId: r.dest_id,
      snapshotId: r.snapshot_id,
      sourceId: r.source_id,
      sourceName: r.source_name,
      time: r.time,
      files: r.files,
      bytes: r.bytes,
      errors: r.errors,
      manifestKey: r.manifest_key,
    }));
  }

  syncedWith(sourceId: string, destId: string): string | null {
    const row = this.db
      .prepare('SELECT last_snapshot_id FROM sync_state WHERE source_id = ? AND dest_id = ?')
      .get(sourceId, destId) as { last_snapshot_id: string | null } | undefined;
    return row?.last_snapshot_id ?? null;
  }

  setSyncedWith(sourceId: string, destId: string, snapshotId: string | null): void {
    this.db
      .prepare(
        `INSERT INTO sync_state (source_id, dest_id, last_snapshot_id) VALUES (?, ?, ?)
         ON CONFLICT (source_id, dest_id) DO UPDATE SET last_snapshot_id = excluded.last_snapshot_id`,
      )
      .run(sourceId, destId, snapshotId);
  }
}
