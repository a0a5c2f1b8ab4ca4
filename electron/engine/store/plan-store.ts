import { RetentionPolicy } from '../../../shared/retention.js';
import { ScheduleSpec } from '../../../shared/schedule.js';
import { DEFAULT_VERIFY_PLAN, VerifyPlan } from '../../../shared/verify-plan.js';
import type { Db } from './database.js';

/** No successful backup for this long opens an alert, unless the destination says otherwise. */
export const DEFAULT_STALE_AFTER_MS = 48 * 3600_000;

/** What a destination is meant to do: when it runs, what history it keeps, when to worry. */
export interface DestinationPlan {
  destId: string;
  schedule: ScheduleSpec;
  /** The newest schedule slot already handled (run, queued, or skipped while paused). */
  lastSlotAt: number | null;
  retention: RetentionPolicy;
  staleAfterMs: number;
  /** When the schedule last changed: slots before it were never missed. */
  updatedAt: number;
  verify: VerifyPlan;
}

interface Row {
  dest_id: string;
  schedule: string | null;
  last_slot_at: number | null;
  retention: string | null;
  stale_after_ms: number | null;
  updated_at: number | null;
  created_at: number;
  verify: string | null;
}

/** Plans per destination; a destination without a row is manual, keeps everything, and worries after 48 h. */
export class PlanStore {
  constructor(private readonly db: Db) {}

  get(destId: string): DestinationPlan {
    const row = this.db
      .prepare(
        `SELECT d.id AS dest_id, d.created_at, p.schedule, p.last_slot_at, p.retention, p.stale_after_ms, p.updated_at, p.verify
         FROM destinations d LEFT JOIN destination_plans p ON p.dest_id = d.id WHERE d.id = ?`,
      )
      .get(destId) as Row | undefined;
    if (!row) throw new Error(`no destination ${destId}`);
    return toPlan(row);
  }

  all(): DestinationPlan[] {
    return (
      this.db
        .prepare(
          `SELECT d.id AS dest_id, d.created_at, p.schedule, p.last_slot_at, p.retention, p.stale_after_ms, p.updated_at, p.verify
           FROM destinations d LEFT JOIN destination_plans p ON p.dest_id = d.id ORDER BY d.name`,
        )
        .all() as Row[]
    ).map(toPlan);
  }

  /** A new schedule starts counting from now: the slots before it were never due. */
  setSchedule(destId: string, schedule: ScheduleSpec, now: number): void {
    this.upsert(destId, now);
    this.db
      .prepare('UPDATE destination_plans SET schedule = ?, last_slot_at = ?, updated_at = ? WHERE dest_id = ?')
      .run(JSON.stringify(schedule), now, now, destId);
  }

  setRetention(destId: string, retention: RetentionPolicy, now: number): void {
    this.upsert(destId, now);
    this.db
      .prepare('UPDATE destination_plans SET retention = ? WHERE dest_id = ?')
      .run(JSON.stringify(retention), destId);
  }

  setStaleAfter(destId: string, ms: number | null, now: number): void {
    this.upsert(destId, now);
    this.db.prepare('UPDATE destination_plans SET stale_after_ms = ? WHERE dest_id = ?').run(ms, destId);
  }

  setVerify(destId: string, plan: VerifyPlan, now: number): void {
    this.upsert(destId, now);
    this.db.prepare('UPDATE destination_plans SET verify = ? WHERE dest_id = ?').run(JSON.stringify(plan), destId);
  }

  markSlot(destId: string, slotAt: number): void {
    this.db
      .prepare('UPDATE destination_plans SET last_slot_at = MAX(COALESCE(last_slot_at, 0), ?) WHERE dest_id = ?')
      .run(slotAt, destId);
  }

  private upsert(destId: string, now: number): void {
    this.db
      .prepare('INSERT INTO destination_plans (dest_id, updated_at) VALUES (?, ?) ON CONFLICT (dest_id) DO NOTHING')
      .run(destId, now);
  }
}

function toPlan(r: Row): DestinationPlan {
  return {
    destId: r.dest_id,
    schedule: parseOr(ScheduleSpec, r.schedule, { kind: 'manual' }),
    lastSlotAt: r.last_slot_at,
    retention: parseOr(RetentionPolicy, r.retention, {}),
    staleAfterMs: r.stale_after_ms ?? DEFAULT_STALE_AFTER_MS,
    updatedAt: r.updated_at ?? r.created_at,
    verify: parseOr(VerifyPlan, r.verify, DEFAULT_VERIFY_PLAN),
  };
}

/** A value written by a newer build that this one cannot read falls back to the safe default. */
function parseOr<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  text: string | null,
  fallback: T,
): T {
  if (text === null) return fallback;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}
