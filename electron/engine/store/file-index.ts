import type { ObjectDetails } from '../sources/types.js';
import type { Db } from './database.js';

export type FileState = 'synced' | 'pending' | 'failed' | 'excluded';

export interface IndexedFile {
  id: number;
  type: string;
  size: number;
  mtimeMs: number;
  inode: number | null;
  /** Source-specific identity (a bucket object's ETag). */
  identity: string | null;
  details: ObjectDetails | null;
  sha256: string | null;
  /** Per destination id: what that destination holds for this path. */
  status: Map<string, { state: FileState; sha256: string | null; remoteKey: string | null }>;
}

export interface FileFacts {
  type: string;
  size: number;
  mtimeMs: number;
  inode?: number | undefined;
  identity?: string | undefined;
  details?: ObjectDetails | undefined;
  sha256?: string | undefined;
}

export interface StatusUpdate {
  destId: string;
  state: FileState;
  sha256?: string | null | undefined;
  remoteKey?: string | null | undefined;
  error?: string | null | undefined;
}

export function splitPath(path: string): { dir: string; name: string } {
  const i = path.lastIndexOf('/');
  return i < 0 ? { dir: '', name: path } : { dir: path.slice(0, i), name: path.slice(i + 1) };
}

interface JoinRow {
  id: number;
  type: string;
  size: number;
  mtime_ms: number;
  inode: number | null;
  identity: string | null;
  details: string | null;
  sha256: string | null;
  dest_id: string | null;
  state: FileState | null;
  ssha: string | null;
  remote_key: string | null;
}

/**
 * Writes per commit of the index's open transaction, and the longest a write waits for one. Each
 * commit rewrites the B-tree pages the batch touched, so fewer, larger commits cost less: at 2,000
 * writes or half a second, the commits were ~0.25 s of a backup of 20,000 small files, and
 * raising both (to these) took 4 % off its time. This process reads its own writes at once;
 * other processes (a CLI beside the app) see them at the next commit.
 */
const BATCH_WRITES = 20_000;
const BATCH_MS = 2000;

/**
 * The file index and per-destination status. Writes go into one open transaction committed
 * in batches (a commit per file would make 20,000 files crawl); the index is a cache, so a
 * crash that loses a batch only costs re-checking those files next run.
 */
export class FileIndex {
  private readonly upsertStmt;
  private readonly seenStmt;
  private readonly seenPathStmt;
  private readonly statusStmt;
  private readonly importStmt;
  private readonly idStmt;
  private readonly dirStmt;
  private readonly removeStatusStmt;
  private ops = 0;
  private ownTx = false;
  private timer: NodeJS.Timeout | undefined;
  /** Rows of recently visited folders: a walk asks about a folder's files one after another. */
  private readonly dirCache = new Map<string, Map<string, IndexedFile>>();

  constructor(
    private readonly db: Db,
    private readonly batchSize = BATCH_WRITES,
  ) {
    this.removeStatusStmt = db.prepare('DELETE FROM file_status WHERE file_id = ? AND dest_id = ?');
    this.dirStmt = db.prepare(
      `SELECT f.id, f.name, f.type, f.size, f.mtime_ms, f.inode, f.identity, f.details, f.sha256, s.dest_id, s.state, s.sha256 AS ssha, s.remote_key
       FROM files f LEFT JOIN file_status s ON s.file_id = f.id
       WHERE f.source_id = ? AND f.dir = ?`,
    );
    // Positional parameters: binding by name looked each one up, per file.
    this.upsertStmt = db.prepare(
      `INSERT INTO files (source_id, dir, name, type, size, mtime_ms, inode, identity, details, sha256, seen_run)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source_id, dir, name) DO UPDATE SET type = excluded.type, size = excluded.size,
         mtime_ms = excluded.mtime_ms, inode = excluded.inode, identity = excluded.identity, details = excluded.details, sha256 = excluded.sha256,
         seen_run = COALESCE(excluded.seen_run, files.seen_run)
       RETURNING id`,
    );
    this.importStmt = db.prepare(
      `INSERT INTO files (source_id, dir, name, type, size, mtime_ms, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source_id, dir, name) DO NOTHING RETURNING id`,
    );
    this.idStmt = db.prepare('SELECT id FROM files WHERE source_id = ? AND dir = ? AND name = ?');
    this.seenStmt = db.prepare('UPDATE files SET seen_run = ? WHERE id = ?');
    this.seenPathStmt = db.prepare('UPDATE files SET seen_run = ? WHERE source_id = ? AND dir = ? AND name = ?');
    this.statusStmt = db.prepare(
      `INSERT INTO file_status (file_id, dest_id, state, sha256, remote_key, error, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (file_id, dest_id) DO UPDATE SET state = excluded.state,
         sha256 = COALESCE(excluded.sha256, file_status.sha256),
         remote_key = COALESCE(excluded.remote_key, file_status.remote_key),
         error = excluded.error, updated_at = excluded.updated_at`,
    );
  }

  lookup(sourceId: string, path: string): IndexedFile | undefined {
    const { dir, name } = splitPath(path);
    const cacheKey = `${sourceId}\u0000${dir}`;
    let rows = this.dirCache.get(cacheKey);
    if (!rows) {
      rows = new Map();
      for (const r of this.dirStmt.all(sourceId, dir) as (JoinRow & { name: string })[]) {
        let f = rows.get(r.name);
        if (!f) {
          f = {
            id: r.id,
            type: r.type,
            size: r.size,
            mtimeMs: r.mtime_ms,
            inode: r.inode,
            identity: r.identity,
            details: r.details ? (JSON.parse(r.details) as ObjectDetails) : null,
            sha256: r.sha256,
            status: new Map(),
          };
          rows.set(r.name, f);
        }
        if (r.dest_id && r.state) f.status.set(r.dest_id, { state: r.state, sha256: r.ssha, remoteKey: r.remote_key });
      }
      if (this.dirCache.size >= 64) this.dirCache.delete(this.dirCache.keys().next().value!);
      this.dirCache.set(cacheKey, rows);
    }
    return rows.get(name);
  }

  /** Records what a path looks like now (immediately: the id is needed for statuses). */
  upsert(sourceId: string, path: string, facts: FileFacts, runId: number | null): number {
    const { dir, name } = splitPath(path);
    this.begin();
    const row = this.upsertStmt.get(
      sourceId,
      dir,
      name,
      facts.type,
      facts.size,
      facts.mtimeMs,
      facts.inode ?? null,
      facts.identity ?? null,
      facts.details ? JSON.stringify(facts.details) : null,
      facts.sha256 ?? null,
      runId,
    ) as { id: number };
    this.written();
    return row.id;
  }

  /** Adds a path known from a manifest, keeping what the index already knows of it. */
  importFile(sourceId: string, path: string, facts: FileFacts): number {
    const { dir, name } = splitPath(path);
    const row = this.importStmt.get(
      sourceId,
      dir,
      name,
      facts.type,
      facts.size,
      facts.mtimeMs,
      facts.sha256 ?? null,
    ) as { id: number } | undefined;
    if (row) return row.id;
    return (this.idStmt.get(sourceId, dir, name) as { id: number }).id;
  }

  /** Status change applied at once (for callers that batch in their own transaction). */
  setStatusNow(fileId: number, u: StatusUpdate): void {
    this.statusStmt.run(fileId, u.destId, u.state, u.sha256 ?? null, u.remoteKey ?? null, u.error ?? null, Date.now());
  }

  /** Queues: the file was seen unchanged in this run. */
  markSeen(fileId: number, runId: number): void {
    this.enqueue(() => this.seenStmt.run(runId, fileId));
  }

  /** Queues a status change. */
  setStatus(fileId: number, u: StatusUpdate): void {
    this.begin();
    this.statusStmt.run(fileId, u.destId, u.state, u.sha256 ?? null, u.remoteKey ?? null, u.error ?? null, Date.now());
    this.written();
  }

  /** Runs `fn` inside one transaction (for bulk imports). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Files of a source not seen in `runId`: gone from the source since the last run. */
  unseen(sourceId: string, runId: number): { id: number; path: string; type: string }[] {
    this.flush();
    const rows = this.db
      .prepare(`SELECT id, dir, name, type FROM files WHERE source_id = ? AND (seen_run IS NULL OR seen_run <> ?)`)
      .all(sourceId, runId) as { id: number; dir: string; name: string; type: string }[];
    return rows.map((r) => ({ id: r.id, path: r.dir ? `${r.dir}/${r.name}` : r.name, type: r.type }));
  }

  /** Indexed files below a folder (for a folder that became a file). */
  filesUnder(sourceId: string, dir: string): { id: number; path: string }[] {
    this.flush();
    const rows = this.db
      .prepare(
        `SELECT id, dir, name FROM files WHERE source_id = ? AND type = 'file' AND (dir = ? OR substr(dir, 1, ?) = ?)`,
      )
      .all(sourceId, dir, dir.length + 1, `${dir}/`) as { id: number; dir: string; name: string }[];
    return rows.map((r) => ({ id: r.id, path: `${r.dir}/${r.name}` }));
  }

  /** Destinations holding any status for a file. */
  statusesOf(fileId: number): string[] {
    return (
      this.db.prepare('SELECT dest_id FROM file_status WHERE file_id = ?').all(fileId) as { dest_id: string }[]
    ).map((r) => r.dest_id);
  }

  /** Queues: a path (maybe not indexed, e.g. unreadable) was met in this run, so it is not taken as deleted. */
  markSeenPath(sourceId: string, path: string, runId: number): void {
    const { dir, name } = splitPath(path);
    this.enqueue(() => this.seenPathStmt.run(runId, sourceId, dir, name));
  }

  /** Status of a file for one destination (after flushing queued writes). */
  statusOf(fileId: number, destId: string): { state: FileState; sha256: string | null } | undefined {
    this.flush();
    return this.db
      .prepare('SELECT state, sha256 FROM file_status WHERE file_id = ? AND dest_id = ?')
      .get(fileId, destId) as { state: FileState; sha256: string | null } | undefined;
  }

  removeFiles(ids: number[]): void {
    if (!ids.length) return;
    this.flush();
    const del = this.db.prepare('DELETE FROM files WHERE id = ?');
    this.db.transaction(() => ids.forEach((id) => del.run(id)))();
  }

  removeStatus(fileId: number, destId: string): void {
    this.enqueue(() => this.removeStatusStmt.run(fileId, destId));
  }

  /** Forgets what a destination holds for a source (its manifests disagree with this cache). */
  resetDestination(sourceId: string, destId: string): void {
    this.flush();
    this.db
      .prepare('DELETE FROM file_status WHERE dest_id = ? AND file_id IN (SELECT id FROM files WHERE source_id = ?)')
      .run(destId, sourceId);
  }

  /** Commits the open batch. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.ownTx) return;
    this.ownTx = false;
    this.ops = 0;
    if (this.db.inTransaction) this.db.exec('COMMIT');
  }

  /** Forgets cached folder listings (a new run sees the index afresh). */
  resetCache(): void {
    this.dirCache.clear();
  }

  /** Runs a write inside the open batch transaction, committed every `batchSize` writes or BATCH_MS. */
  private enqueue(op: () => void): void {
    this.begin();
    op();
    this.written();
  }

  /**
   * Before a write: opens the batch transaction, unless one is open (this batch's, or a caller's
   * own, which the write then simply joins). The hot writes call this and `written` around their
   * statement instead of passing enqueue a closure: one less allocation per file.
   */
  private begin(): void {
    if (this.ownTx || this.db.inTransaction) return;
    this.db.exec('BEGIN');
    this.ownTx = true;
  }

  /** After a write: counts it into the batch, committed every `batchSize` writes or BATCH_MS. */
  private written(): void {
    if (!this.ownTx) return;
    if (++this.ops >= this.batchSize) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), BATCH_MS);
      this.timer.unref();
    }
  }
}
