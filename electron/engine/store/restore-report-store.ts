/** Restore reports, one per restore run: what it wrote, what it checked, what failed and why. */
import type { Db } from './database.js';
import type { RestoreReport } from '../restore/restore.js';

/** Failures kept per report: enough to act on, bounded for a restore where everything failed. */
const MAX_FAILURES = 1000;

export interface RestoreReportRecord {
  runId: number;
  destId: string;
  snapshotId: string;
  sourceName: string;
  target: { kind: 'folder' | 'bucket'; label: string };
  conflict: 'skip' | 'overwrite' | 'keep-both';
  filesTotal: number;
  bytesTotal: number;
  files: number;
  bytes: number;
  bytesRead: number;
  verified: number;
  identical: number;
  skipped: number;
  renamed: number;
  failed: number;
  failures: { path: string; error: string }[];
  stopped: string | null;
  startedAt: number;
  finishedAt: number | null;
}

interface Row {
  run_id: number;
  dest_id: string;
  snapshot_id: string;
  source_name: string;
  target: string;
  conflict: RestoreReportRecord['conflict'];
  files_total: number;
  bytes_total: number;
  files: number;
  bytes: number;
  bytes_read: number;
  verified: number;
  identical: number;
  skipped: number;
  renamed: number;
  failed: number;
  failures: string;
  stopped: string | null;
  started_at: number;
  finished_at: number | null;
}

export class RestoreReportStore {
  constructor(private readonly db: Db) {}

  begin(
    r: Pick<
      RestoreReportRecord,
      'runId' | 'destId' | 'snapshotId' | 'sourceName' | 'target' | 'conflict' | 'startedAt'
    >,
  ): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO restore_reports (run_id, dest_id, snapshot_id, source_name, target, conflict, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.runId, r.destId, r.snapshotId, r.sourceName, JSON.stringify(r.target), r.conflict, r.startedAt);
  }

  /** The totals once known, the counts so far or at the end. */
  update(
    runId: number,
    totals: { filesTotal: number; bytesTotal: number },
    report: RestoreReport | undefined,
    finishedAt: number | null,
  ): void {
    this.db
      .prepare(
        `UPDATE restore_reports SET files_total = ?, bytes_total = ?, files = ?, bytes = ?, bytes_read = ?,
           verified = ?, identical = ?, skipped = ?, renamed = ?, failed = ?, failures = ?, stopped = ?, finished_at = ?
         WHERE run_id = ?`,
      )
      .run(
        totals.filesTotal,
        totals.bytesTotal,
        report?.files ?? 0,
        report?.bytes ?? 0,
        report?.bytesRead ?? 0,
        report?.verified ?? 0,
        report?.identical ?? 0,
        report?.skipped ?? 0,
        report?.renamed ?? 0,
        report?.errors.length ?? 0,
        JSON.stringify(report?.errors.slice(0, MAX_FAILURES) ?? []),
        report?.stopped?.message ?? null,
        finishedAt,
        runId,
      );
  }

  /** A restore that could not run at all: the reason is its one failure. */
  failed(runId: number, error: string, finishedAt: number): void {
    this.db
      .prepare('UPDATE restore_reports SET stopped = ?, finished_at = ? WHERE run_id = ?')
      .run(error, finishedAt, runId);
  }

  get(runId: number): RestoreReportRecord | undefined {
    const row = this.db.prepare('SELECT * FROM restore_reports WHERE run_id = ?').get(runId) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /**
   * Download throughput of recent restores from a destination (bytes per second), from those that
   * read at least a megabyte; null when there are none.
   */
  throughput(destId: string, limit = 10): number | null {
    const rows = this.db
      .prepare(
        `SELECT bytes_read, started_at, finished_at FROM restore_reports
         WHERE dest_id = ? AND finished_at IS NOT NULL AND bytes_read >= 1000000 AND finished_at > started_at
         ORDER BY started_at DESC LIMIT ?`,
      )
      .all(destId, limit) as { bytes_read: number; started_at: number; finished_at: number }[];
    return rate(rows.map((r) => ({ bytes: r.bytes_read, ms: r.finished_at - r.started_at })));
  }

  /** The same from recent backups to the destination (upload speed: the best guess before any restore). */
  backupThroughput(destId: string, limit = 10): number | null {
    const rows = this.db
      .prepare(
        `SELECT bytes_uploaded, started_at, finished_at FROM run_results
         WHERE dest_id = ? AND finished_at IS NOT NULL AND bytes_uploaded >= 1000000 AND finished_at > started_at
         ORDER BY started_at DESC LIMIT ?`,
      )
      .all(destId, limit) as { bytes_uploaded: number; started_at: number; finished_at: number }[];
    return rate(rows.map((r) => ({ bytes: r.bytes_uploaded, ms: r.finished_at - r.started_at })));
  }
}

function rate(samples: { bytes: number; ms: number }[]): number | null {
  const bytes = samples.reduce((n, s) => n + s.bytes, 0);
  const ms = samples.reduce((n, s) => n + s.ms, 0);
  return samples.length && ms > 0 ? (bytes / ms) * 1000 : null;
}

function toRecord(r: Row): RestoreReportRecord {
  return {
    runId: r.run_id,
    destId: r.dest_id,
    snapshotId: r.snapshot_id,
    sourceName: r.source_name,
    target: JSON.parse(r.target) as RestoreReportRecord['target'],
    conflict: r.conflict,
    filesTotal: r.files_total,
    bytesTotal: r.bytes_total,
    files: r.files,
    bytes: r.bytes,
    bytesRead: r.bytes_read,
    verified: r.verified,
    identical: r.identical,
    skipped: r.skipped,
    renamed: r.renamed,
    failed: r.failed,
    failures: JSON.parse(r.failures) as { path: string; error: string }[],
    stopped: r.stopped,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}
