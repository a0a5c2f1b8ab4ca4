/** The plan editor's Verification fields as typed, and the VerifyPlan they make for plans.set. */
import type { VerifyPlan } from '../../../shared/verify-plan.js';
import { parseSamplePercent } from './sample-percent.js';

export interface VerifyPlanForm {
  every: VerifyPlan['every'];
  deep: boolean;
  /** The deep check's share, as typed. */
  sample: string;
}

export const VERIFY_INTERVALS: { id: VerifyPlan['every']; label: string }[] = [
  { id: 'off', label: 'Off' },
  { id: 'daily', label: 'Daily' },
  { id: 'weekly', label: 'Weekly' },
  { id: 'monthly', label: 'Monthly' },
];

export function formFromVerifyPlan(plan: VerifyPlan): VerifyPlanForm {
  return { every: plan.every, deep: plan.deep, sample: String(plan.samplePercent) };
}

/**
 * The plan, or undefined while the share is wrong. A share hidden by Quick or Off keeps the saved
 * one, so switching back to Deep later finds it again.
 */
export function verifyPlanFromForm(form: VerifyPlanForm, saved: VerifyPlan): VerifyPlan | undefined {
  const sample = parseSamplePercent(form.sample);
  const shown = form.every !== 'off' && form.deep;
  if (shown && sample === undefined) return undefined;
  return { every: form.every, deep: form.deep, samplePercent: sample ?? saved.samplePercent };
}
