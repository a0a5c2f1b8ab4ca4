import type { Db } from './database.js';

export type RunStatus = 'running' | 'ok' | 'partial' | 'failed' | 'interrupted' | 'cancelled';

export interface RunResult {
  sourceId: string;
  destId: string;
  status: RunStatus;
  snapshotId?: string | undefined;
  filesTotal: number;
  bytesTotal: number;
  filesUploaded: number;
  bytesUploaded: number;
  /** Bytes and objects the run added to the destination, when not the files it uploaded (a vault's packs). */
  storedBytes?: number | undefined;
  storedObjects?: number | undefined;
  filesDeleted: number;
  filesFailed: number;
  error?: string | undefined;
  startedAt: number;
  finishedAt?: number | undefined;
}

export interface RunRecord {
  id: number;
  trigger: string;
  status: RunStatus;
  startedAt: number;
  finishedAt: number | null;
  error: string | null;
}

export interface DestinationHealth {
  destId: string;
  lastSuccessAt: number | null;
  lastRunAt: number | null;
  lastStatus: RunStatus | null;
  lastError: string | null;
  runs: number;
  succeeded: number;
}

/** Runs, their per-(source, destination) results and the run log. */
export class RunStore {
  constructor(private readonly db: Db) {}

  /** Runs left 'running' by a crash are marked interrupted so history tells the truth. */
  markInterrupted(): number {
    return this.db
      .prepare(
        `UPDATE runs SET status = 'interrupted', finished_at = COALESCE(finished_at, started_at),
         error = 'the process stopped before the run finished' WHERE status = 'running'`,
      )
      .run().changes;
  }

  start(trigger: string, now = Date.now()): number {
    return Number(
      this.db.prepare(`INSERT INTO runs (trigger, status, started_at) VALUES (?, 'running', ?)`).run(trigger, now)
        .lastInsertRowid,
    );
  }

  finish(runId: number, status: RunStatus, error?: string, now = Date.now()): void {
    this.db
      .prepare('UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ?')
      .run(status, now, error ?? null, runId);
  }

  saveResult(runId: number, r: RunResult): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO run_results (run_id, source_id, dest_id, status, snapshot_id, files_total, bytes_total,
          files_uploaded, bytes_uploaded, files_deleted, files_failed, error, started_at, finished_at,
          stored_bytes, stored_objects)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        runId,
        r.sourceId,
        r.destId,
        r.status,
        r.snapshotId ?? null,
        r.filesTotal,
        r.bytesTotal,
        r.filesUploaded,
        r.bytesUploaded,
        r.filesDeleted,
        r.filesFailed,
        r.error ?? null,
        r.startedAt,
        r.finishedAt ?? null,
        r.storedBytes ?? null,
        r.storedObjects ?? null,
      );
  }

  log(
    runId: number | null,
    level: 'info' | 'warn' | 'error',
    message: string,
    ctx: { sourceId?: string; destId?: string; path?: string } = {},
  ): void {
    this.db
      .prepare(
        'INSERT INTO run_log (run_id, time, level, source_id, dest_id, path, message) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(runId, Date.now(), level, ctx.sourceId ?? null, ctx.destId ?? null, ctx.path ?? null, message);
  }

  /** Newest first; `before` pages back through older runs. */
  recentRuns(limit = 20, before = Number.MAX_SAFE_INTEGER): RunRecord[] {
    return (
      this.db
        .prepare(
          'SELECT id, trigger, status, started_at, finished_at, error FROM runs WHERE id < ? ORDER BY id DESC LIMIT ?',
        )
        .all(before, limit) as {
        id: number;
        trigger: string;
        status: RunStatus;
        started_at: number;
        finished_at: number | null;
        error: string | null;
      }[]
    ).map((r) => ({
      id: r.id,
      trigger: r.trigger,
      status: r.status,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      error: r.error,
    }));
  }

  resultsOf(runId: number): RunResult[] {
    return (this.db.prepare('SELECT * FROM run_results WHERE run_id = ?').all(runId) as ResultRow[]).map(toResult);
  }

  /** A run's log lines, oldest first: all of them, or only warnings and errors. */
  logOf(
    runId: number,
    which: 'all' | 'warn-or-error' = 'all',
    limit = 200,
  ): { level: string; path: string | null; message: string }[] {
    const filter = which === 'all' ? '' : `AND level IN ('warn', 'error')`;
    return this.db
      .prepare(`SELECT level, path, message FROM run_log WHERE run_id = ? ${filter} ORDER BY id LIMIT ?`)
      .all(runId, limit) as { level: string; path: string | null; message: string }[];
  }
}

export interface LogRow {
  time: number;
  level: 'info' | 'warn' | 'error';
  sourceId: string | null;
  destId: string | null;
  path: string | null;
  message: string;
}

/** A page of a run's log, oldest first, with the total for paging. */
export function logPage(
  db: Db,
  runId: number,
  which: 'all' | 'problems',
  offset: number,
  limit: number,
): { total: number; lines: LogRow[] } {
  const filter = which === 'all' ? '' : `AND level IN ('warn', 'error')`;
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM run_log WHERE run_id = ? ${filter}`).get(runId) as { n: number })
    .n;
  const lines = db
    .prepare(
      `SELECT time, level, source_id AS sourceId, dest_id AS destId, path, message FROM run_log
       WHERE run_id = ? ${filter} ORDER BY id LIMIT ? OFFSET ?`,
    )
    .all(runId, limit, offset) as LogRow[];
  return { total, lines };
}

interface ResultRow {
  source_id: string;
  dest_id: string;
  status: RunStatus;
  snapshot_id: string | null;
  files_total: number;
  bytes_total: number;
  files_uploaded: number;
  bytes_uploaded: number;
  files_deleted: number;
  files_failed: number;
  error: string | null;
  started_at: number;
  finished_at: number | null;
  stored_bytes: number | null;
  stored_objects: number | null;
}

function toResult(r: ResultRow): RunResult {
  return {
    sourceId: r.source_id,
    destId: r.dest_id,
    status: r.status,
    snapshotId: r.snapshot_id ?? undefined,
    filesTotal: r.files_total,
    bytesTotal: r.bytes_total,
    filesUploaded: r.files_uploaded,
    bytesUploaded: r.bytes_uploaded,
    filesDeleted: r.files_deleted,
    filesFailed: r.files_failed,
    error: r.error ?? undefined,
    startedAt: r.started_at,
    finishedAt: r.finished_at ?? undefined,
    ...(r.stored_bytes !== null ? { storedBytes: r.stored_bytes, storedObjects: r.stored_objects ?? 0 } : {}),
  };
}
