/**
 * A destination's steady month: requests and bytes per backup from the last 30 days of runs (each
 * source's first, full upload left out, since it happens once) times the backups its schedule
 * makes in a month (by hand: the backups of the last 30 days, as they were),
 * plus what its verification plan and retention will read and list. Request counts follow what
 * Strata sends: a PUT per file (parts for big ones), a COPY to history/ per changed file, a
 * manifest per snapshot; a HEAD per stored object for a quick verification, a GET for deep.
 */
import type { Db } from '../store/database.js';
import type { VerifyPlan } from '../../../shared/verify-plan.js';
import type { MonthlyActivity } from './monthly-cost.js';

const DAY = 24 * 3600_000;
const MONTH_DAYS = 30;
const PART_BYTES = 8 * 1024 * 1024;

export interface ObservedActivity extends MonthlyActivity {
  uploadBytes: number;
  /** Backups a month (for retention's listing and for the schedule-less interval). */
  backupsPerMonth: number;
}

const VERIFY_PER_MONTH: Record<Exclude<VerifyPlan['every'], 'off'>, number> = {
  daily: 30,
  weekly: 30 / 7,
  monthly: 1,
};

interface Row {
  run_id: number;
  files_uploaded: number;
  bytes_uploaded: number;
  stored_bytes: number | null;
  stored_objects: number | null;
  snapshot_id: string | null;
  started_at: number;
  repeat: number;
}

export function observedActivity(
  db: Db,
  destId: string,
  now: number,
  stored: { bytes: number; objects: number },
  plan: { verify: VerifyPlan; prunes: boolean; runsPerMonth: number | null },
): ObservedActivity {
  const since = now - MONTH_DAYS * DAY;
  const rows = db
    .prepare(
      `SELECT rr.run_id, rr.files_uploaded, rr.bytes_uploaded, rr.stored_bytes, rr.stored_objects, rr.snapshot_id, rr.started_at,
         EXISTS (SELECT 1 FROM run_results p WHERE p.dest_id = rr.dest_id AND p.source_id = rr.source_id
                 AND p.snapshot_id IS NOT NULL AND p.started_at < rr.started_at) AS repeat
       FROM run_results rr WHERE rr.dest_id = ? AND rr.started_at >= ?`,
    )
    .all(destId, since) as Row[];
  let put = 0;
  let get = 0;
  let list = 0;
  let bytes = 0;
  const runs = new Set<number>();
  for (const r of rows) {
    if (!r.repeat) continue;
    runs.add(r.run_id);
    if (r.stored_objects !== null && r.stored_bytes !== null) {
      // A vault: one PUT per pack and index file, and the manifest.
      bytes += r.stored_bytes;
      put += r.stored_objects + (r.snapshot_id ? 1 : 0);
    } else {
      bytes += r.bytes_uploaded;
      // Upload (in 8 MiB parts when big) and, for a changed file, the copy of the old version to history/.
      put += r.files_uploaded * 2 + Math.floor(r.bytes_uploaded / PART_BYTES) + (r.snapshot_id ? 1 : 0);
    }
    get += 1;
    list += 1;
  }
  // Scheduled: the average backup, as often as the schedule runs. By hand: what was done.
  const backupsPerMonth = plan.runsPerMonth ?? runs.size;
  const scale = runs.size === 0 ? 0 : backupsPerMonth / runs.size;
  const out: ObservedActivity = {
    putRequests: put * scale,
    getRequests: get * scale,
    listRequests: list * scale,
    readBytes: 0,
    churnBytes: bytes * scale,
    uploadBytes: bytes * scale,
    backupsPerMonth,
  };
  const listing = Math.ceil(stored.objects / 1000);
  // Retention lists history/ and snapshots/ after every scheduled backup.
  if (plan.prunes) out.listRequests += listing * backupsPerMonth;
  if (plan.verify.every !== 'off') {
    const n = VERIFY_PER_MONTH[plan.verify.every];
    out.listRequests += listing * n;
    if (plan.verify.deep) {
      const share = plan.verify.samplePercent / 100;
      out.getRequests += stored.objects * share * n;
      out.readBytes += stored.bytes * share * n;
    } else {
      out.getRequests += stored.objects * n;
    }
  }
  return out;
}
