/**
 * The plan's Verification section: how often the destination is checked on its own (right after a
 * scheduled backup, once the last check is that old), and how thoroughly. A manual-only schedule
 * never triggers it, which the section says rather than leaving the user to wonder.
 */
import { useId } from 'react';
import { describeVerifyPlan, type VerifyPlan } from '../../../shared/verify-plan.js';
import { sentence } from '../format.js';
import { VERIFY_INTERVALS, type VerifyPlanForm } from '../verify/plan-form.js';
import { VerifyModeFields } from '../verify/VerifyModeFields.js';

interface Props {
  form: VerifyPlanForm;
  onChange: (patch: Partial<VerifyPlanForm>) => void;
  /** The plan the fields make, when they make one. */
  plan: VerifyPlan | undefined;
  /** The schedule being edited is manual only: no scheduled backup will trigger a check. */
  manualSchedule: boolean;
}

export function VerifyPlanEditor({ form, onChange, plan, manualSchedule }: Props) {
  const id = useId();
  return (
    <div className="verify-plan-editor">
      <div className="field verify-every">
        <label htmlFor={`${id}-every`}>Verify</label>
        <select
          id={`${id}-every`}
          className="input input-medium"
          value={form.every}
          aria-describedby={`${id}-every-help`}
          onChange={(e) => onChange({ every: e.target.value as VerifyPlan['every'] })}
        >
          {VERIFY_INTERVALS.map((i) => (
            <option key={i.id} value={i.id}>
              {i.label}
            </option>
          ))}
        </select>
        <p id={`${id}-every-help`} className="field-help">
          After a scheduled backup, once the last check is this old.
        </p>
      </div>
      {form.every !== 'off' ? (
        <VerifyModeFields
          deep={form.deep}
          sample={form.sample}
          onChange={onChange}
          sampleHelp="Read each time; the next check continues with the next share, so over time everything is read."
        />
      ) : null}
      {plan ? <p className="preview-summary">{sentence(describeVerifyPlan(plan))}</p> : null}
      {manualSchedule && form.every !== 'off' ? (
        <p className="field-help">
          This destination backs up only when you press Back up now, so it is not verified on its own: use Verify… on
          the dashboard, or choose a schedule above.
        </p>
      ) : null}
    </div>
  );
}
