/** Verification reports per destination, and where the rotating deep sample continues. */
import type { VerifyProblem } from '../../../shared/api/entities.js';
import type { Db } from './database.js';

export type VerifyMode = 'quick' | 'deep';
export type VerifyStatus = 'running' | 'ok' | 'failed' | 'error' | 'cancelled';

export interface VerifyRecord {
  id: number;
  destId: string;
  runId: number | null;
  mode: VerifyMode;
  samplePercent: number;
  startedAt: number;
  finishedAt: number | null;
  status: VerifyStatus;
  snapshots: number;
  objects: number;
  objectsRead: number;
  bytesRead: number;
  problems: VerifyProblem[];
  /** The snapshots the verification covered, and those of them found damaged. */
  snapshotIds: string[];
  badSnapshotIds: string[];
  error: string | null;
}

interface Row {
  id: number;
  dest_id: string;
  run_id: number | null;
  mode: VerifyMode;
  sample_percent: number;
  started_at: number;
  finished_at: number | null;
  status: VerifyStatus;
  snapshots: number;
  objects: number;
  objects_read: number;
  bytes_read: number;
  problems: string;
  snapshot_ids: string;
  error: string | null;
}

function snapshotSets(json: string): { snapshotIds: string[]; badSnapshotIds: string[] } {
  const v = JSON.parse(json) as { covered?: string[]; bad?: string[] } | string[];
  return Array.isArray(v)
    ? { snapshotIds: v, badSnapshotIds: [] }
    : { snapshotIds: v.covered ?? [], badSnapshotIds: v.bad ?? [] };
}

const fromRow = (r: Row): VerifyRecord => ({
  id: r.id,
  destId: r.dest_id,
  runId: r.run_id,
  mode: r.mode,
  samplePercent: r.sample_percent,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  status: r.status,
  snapshots: r.snapshots,
  objects: r.objects,
  objectsRead: r.objects_read,
  bytesRead: r.bytes_read,
  problems: JSON.parse(r.problems) as VerifyProblem[],
  ...snapshotSets(r.snapshot_ids),
  error: r.error,
});

export class VerifyStore {
  constructor(private readonly db: Db) {}

  start(destId: string, mode: VerifyMode, samplePercent: number, at: number, runId?: number): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO verify_reports (dest_id, run_id, mode, sample_percent, started_at, status) VALUES (?, ?, ?, ?, ?, 'running')`,
        )
        .run(destId, runId ?? null, mode, samplePercent, at).lastInsertRowid,
    );
  }

  finish(
    id: number,
    r: Pick<
      VerifyRecord,
      | 'status'
      | 'snapshots'
      | 'objects'
      | 'objectsRead'
      | 'bytesRead'
      | 'problems'
      | 'snapshotIds'
      | 'badSnapshotIds'
      | 'error'
    >,
    at: number,
  ): void {
    this.db
      .prepare(
        `UPDATE verify_reports SET status = ?, snapshots = ?, objects = ?, objects_read = ?, bytes_read = ?,
         problems = ?, snapshot_ids = ?, error = ?, finished_at = ? WHERE id = ?`,
      )
      .run(
        r.status,
        r.snapshots,
        r.objects,
        r.objectsRead,
        r.bytesRead,
        JSON.stringify(r.problems),
        JSON.stringify({ covered: r.snapshotIds, bad: r.badSnapshotIds }),
        r.error,
        at,
        id,
      );
  }

  /** A verification the process did not live to finish. */
  markInterrupted(): void {
    this.db
      .prepare(
        `UPDATE verify_reports SET status = 'error', error = 'interrupted (Strata stopped)' WHERE status = 'running'`,
      )
      .run();
  }

  get(id: number): VerifyRecord | undefined {
    const r = this.db.prepare('SELECT * FROM verify_reports WHERE id = ?').get(id) as Row | undefined;
    return r && fromRow(r);
  }

  list(destId: string | undefined, limit: number): VerifyRecord[] {
    const rows = destId
      ? this.db.prepare('SELECT * FROM verify_reports WHERE dest_id = ? ORDER BY id DESC LIMIT ?').all(destId, limit)
      : this.db.prepare('SELECT * FROM verify_reports ORDER BY id DESC LIMIT ?').all(limit);
    return (rows as Row[]).map(fromRow);
  }

  /** The newest verification of a destination that ran to its end (a cancelled one proves nothing). */
  latest(destId: string): VerifyRecord | undefined {
    const r = this.db
      .prepare(
        `SELECT * FROM verify_reports WHERE dest_id = ? AND status NOT IN ('running', 'cancelled') ORDER BY id DESC LIMIT 1`,
      )
      .get(destId) as Row | undefined;
    return r && fromRow(r);
  }

  sampleCursor(destId: string): number {
    const r = this.db.prepare('SELECT sample_cursor FROM verify_state WHERE dest_id = ?').get(destId) as
      { sample_cursor: number } | undefined;
    return r?.sample_cursor ?? 0;
  }

  setSampleCursor(destId: string, cursor: number): void {
    this.db
      .prepare(
        `INSERT INTO verify_state (dest_id, sample_cursor) VALUES (?, ?)
         ON CONFLICT(dest_id) DO UPDATE SET sample_cursor = excluded.sample_cursor`,
      )
      .run(destId, cursor);
  }
}
