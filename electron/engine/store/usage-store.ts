import type { Db } from './database.js';

/** What a destination stored at one moment. */
export interface UsageSample {
  at: number;
  bytes: number;
  objects: number;
  /** Objects under 128 KiB and their bytes (minimum billable sizes apply to them). */
  smallObjects: number;
  smallBytes: number;
  /** Counted by listing the destination, rather than carried forward from run figures. */
  measured: boolean;
}

interface Row {
  at: number;
  bytes: number;
  objects: number;
  small_objects: number;
  small_bytes: number;
  measured: number;
}

const toSample = (r: Row): UsageSample => ({
  at: r.at,
  bytes: r.bytes,
  objects: r.objects,
  smallObjects: r.small_objects,
  smallBytes: r.small_bytes,
  measured: r.measured === 1,
});

/** Samples of each destination's stored bytes and objects over time (migration 12). */
export class UsageStore {
  constructor(private readonly db: Db) {}

  add(destId: string, s: UsageSample): void {
    this.db
      .prepare(
        `INSERT INTO usage_samples (dest_id, at, bytes, objects, small_objects, small_bytes, measured)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (dest_id, at) DO UPDATE SET bytes = excluded.bytes, objects = excluded.objects,
           small_objects = excluded.small_objects, small_bytes = excluded.small_bytes, measured = excluded.measured`,
      )
      .run(
        destId,
        s.at,
        Math.max(0, Math.round(s.bytes)),
        Math.max(0, Math.round(s.objects)),
        Math.max(0, Math.round(s.smallObjects)),
        Math.max(0, Math.round(s.smallBytes)),
        s.measured ? 1 : 0,
      );
  }

  latest(destId: string): UsageSample | undefined {
    const r = this.db.prepare('SELECT * FROM usage_samples WHERE dest_id = ? ORDER BY at DESC LIMIT 1').get(destId) as
      Row | undefined;
    return r && toSample(r);
  }

  latestMeasured(destId: string): UsageSample | undefined {
    const r = this.db
      .prepare('SELECT * FROM usage_samples WHERE dest_id = ? AND measured = 1 ORDER BY at DESC LIMIT 1')
      .get(destId) as Row | undefined;
    return r && toSample(r);
  }

  /** The last sample of each month since `since`, oldest first, keyed 'YYYY-MM' (UTC). */
  monthly(destId: string, since: number): { month: string; sample: UsageSample }[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM usage_samples WHERE dest_id = ? AND at IN (
           SELECT MAX(at) FROM usage_samples WHERE dest_id = ? AND at >= ?
           GROUP BY strftime('%Y-%m', at / 1000, 'unixepoch'))
         ORDER BY at`,
      )
      .all(destId, destId, since) as Row[];
    return rows.map((r) => ({ month: new Date(r.at).toISOString().slice(0, 7), sample: toSample(r) }));
  }
}
