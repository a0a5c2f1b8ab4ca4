/**
 * When a destination is verified on its own: after a scheduled backup, once the last
 * verification is older than the chosen interval. Deep runs read a rotating sample, so a large
 * destination is read whole over several runs instead of all at once.
 */
import { z } from 'zod';

export const VerifyPlan = z.object({
  every: z.enum(['off', 'daily', 'weekly', 'monthly']),
  deep: z.boolean(),
  /** Deep only: percent of the stored versions read per run. */
  samplePercent: z.number().min(1).max(100),
});
export type VerifyPlan = z.infer<typeof VerifyPlan>;

export const DEFAULT_VERIFY_PLAN: VerifyPlan = { every: 'off', deep: false, samplePercent: 10 };

const INTERVAL_MS: Record<Exclude<VerifyPlan['every'], 'off'>, number> = {
  daily: 24 * 3600_000,
  weekly: 7 * 24 * 3600_000,
  monthly: 30 * 24 * 3600_000,
};

/** Due when never verified, or the last verification is at least one interval old (an hour's slack for drift). */
export function verifyDue(plan: VerifyPlan, lastAt: number | null, now: number): boolean {
  if (plan.every === 'off') return false;
  return lastAt === null || now - lastAt >= INTERVAL_MS[plan.every] - 3600_000;
}

export function describeVerifyPlan(plan: VerifyPlan): string {
  if (plan.every === 'off') return 'not verified on a schedule';
  const how = plan.deep ? `deep (${plan.samplePercent}% read each time)` : 'quick';
  return `${plan.every}, ${how}, after a scheduled backup`;
}
