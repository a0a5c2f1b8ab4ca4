/** Hours between backups, which sets how long retention keeps each snapshot. */
import type { ScheduleSpec } from '../../../shared/schedule.js';
import { nextRuns } from '../schedule/next-run.js';

const FIXED: Partial<Record<ScheduleSpec['kind'], number>> = { hourly: 1, daily: 24, weekly: 168, monthly: 730 };

export function intervalHours(spec: ScheduleSpec, now: number, timeZone: string, backupsPerMonth: number): number {
  const fixed = FIXED[spec.kind];
  if (fixed !== undefined) return fixed;
  if (spec.kind === 'cron') {
    const runs = nextRuns(spec, new Date(now), timeZone, 25);
    if (runs.length >= 2) return (runs.at(-1)!.getTime() - runs[0]!.getTime()) / (runs.length - 1) / 3600_000;
  }
  // By hand: as often as it has been run lately, else daily.
  return backupsPerMonth > 0 ? (30 * 24) / backupsPerMonth : 24;
}
