/**
 * A destination's plan (`plans.get` / `plans.set`): when it backs up on its own, which snapshots it
 * keeps, when it is verified, and how long without a successful backup before an alert. Save
 * stays disabled while a field is wrong or the host refuses the schedule.
 */
import { useCallback, useId, useMemo, useState } from 'react';
import type { PlanInfo } from '../../../shared/api/entities.js';
import { describeRetention } from '../../../shared/retention.js';
import { describeSchedule } from '../../../shared/schedule.js';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { useLoaded } from '../components/useLoaded.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { useAction } from '../components/useAction.js';
import { RetentionEditor } from './RetentionEditor.js';
import { formFromPolicy, policyFromForm } from './retention-form.js';
import { ScheduleEditor, previewProblem } from './ScheduleEditor.js';
import { formFromSchedule, scheduleFromForm } from './schedule-form.js';
import { useSchedulePreview } from './useSchedulePreview.js';
import { formFromVerifyPlan, verifyPlanFromForm } from '../verify/plan-form.js';
import { VerifyPlanEditor } from './VerifyPlanEditor.js';

/** The host's threshold when none is set (plans.set with null restores it). */
export const DEFAULT_STALE_HOURS = 48;
const MAX_STALE_HOURS = 2160;

interface Props {
  destination: string;
  onSaved: (plan: PlanInfo) => void;
  onCancel: () => void;
}

export function PlanEditor({ destination, onSaved, onCancel }: Props) {
  const fetchPlan = useCallback(() => api().call('plans.get', { destination }), [destination]);
  const { value: plan, error, reload: load } = useLoaded(fetchPlan);

  if (error) return <ErrorBanner error={error} title="Could not load the plan" onRetry={() => void load()} />;
  if (!plan) return <p className="muted">Loading…</p>;
  return <PlanForm plan={plan} onSaved={onSaved} onCancel={onCancel} />;
}

function staleProblem(text: string): string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const n = /^\d{1,4}$/.test(t) ? Number(t) : NaN;
  return n >= 1 && n <= MAX_STALE_HOURS
    ? undefined
    : `Give a whole number of hours from 1 to ${MAX_STALE_HOURS}, or leave it empty`;
}

/** "Every day at 02:00" + "Keeps 7 daily" → "Every day at 02:00, keeps 7 daily". */
export function planWords(schedule: string, retention: string): string {
  return `${schedule}, ${retention[0]!.toLowerCase()}${retention.slice(1)}`;
}

function PlanForm({ plan, onSaved, onCancel }: { plan: PlanInfo } & Omit<Props, 'destination'>) {
  const id = useId();
  const [schedule, setSchedule] = useState(() => formFromSchedule(plan.schedule));
  const [retention, setRetention] = useState(() => formFromPolicy(plan.retention));
  const [verify, setVerify] = useState(() => formFromVerifyPlan(plan.verify));
  // The default shows as an empty field: saving keeps following the default.
  const [stale, setStale] = useState(plan.staleAfterHours === DEFAULT_STALE_HOURS ? '' : String(plan.staleAfterHours));

  const checked = useMemo(() => scheduleFromForm(schedule), [schedule]);
  const preview = useSchedulePreview(checked.spec);
  const kept = useMemo(() => policyFromForm(retention), [retention]);
  const verifyPlan = useMemo(() => verifyPlanFromForm(verify, plan.verify), [verify, plan.verify]);
  const staleText = staleProblem(stale);
  const refused = previewProblem(preview);
  const ready = Boolean(checked.spec && kept.policy && verifyPlan && !staleText && !refused);

  const save = useAction(async () => {
    if (!checked.spec || !kept.policy || !verifyPlan || staleText) return;
    const saved = await api().call('plans.set', {
      destination: plan.destination,
      schedule: checked.spec,
      retention: kept.policy,
      verify: verifyPlan,
      staleAfterHours: stale.trim() === '' ? null : Number(stale.trim()),
    });
    onSaved(saved);
  });

  const words =
    checked.spec && kept.policy && !refused
      ? planWords(preview.preview?.summary ?? describeSchedule(checked.spec), describeRetention(kept.policy))
      : 'Correct the fields marked above to see the plan in words.';

  return (
    <form
      className="editor plan-editor"
      aria-label={`Schedule and retention of ${plan.destination}`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (ready) void save.run();
      }}
    >
      <div className="plan-section">
        <h3>Schedule</h3>
        <ScheduleEditor
          form={schedule}
          onChange={(patch) => setSchedule((f) => ({ ...f, ...patch }))}
          spec={checked.spec}
          problem={checked.problem}
          preview={preview}
        />
      </div>

      <div className="plan-section">
        <h3>Retention</h3>
        <RetentionEditor form={retention} onChange={setRetention} policy={kept.policy} problems={kept.problems} />
        <p className="field-help">
          Scheduled backups remove the other snapshots after each run; Prune now applies the saved policy at once.
        </p>
      </div>

      <div className="plan-section">
        <h3>Verification</h3>
        <VerifyPlanEditor
          form={verify}
          onChange={(patch) => setVerify((f) => ({ ...f, ...patch }))}
          plan={verifyPlan}
          manualSchedule={checked.spec?.kind === 'manual'}
        />
      </div>

      <div className="plan-section">
        <h3>Alerts</h3>
        <div className="field">
          <label htmlFor={`${id}-stale`}>Alert when no successful backup for</label>
          <div className="row">
            <input
              id={`${id}-stale`}
              className="input input-tiny num"
              type="number"
              min={1}
              max={MAX_STALE_HOURS}
              step={1}
              placeholder={String(DEFAULT_STALE_HOURS)}
              value={stale}
              aria-invalid={staleText ? true : undefined}
              aria-describedby={`${id}-stale-unit ${staleText ? `${id}-stale-problem` : `${id}-stale-help`}`}
              onChange={(e) => setStale(e.target.value)}
            />
            <span id={`${id}-stale-unit`}>hours</span>
          </div>
          {staleText ? (
            <p id={`${id}-stale-problem`} className="field-problem">
              {staleText}
            </p>
          ) : (
            <p id={`${id}-stale-help`} className="field-help">
              Leave empty for the default, {DEFAULT_STALE_HOURS} hours.
            </p>
          )}
        </div>
      </div>

      <p className="plan-words" role="status">
        {words}
      </p>

      <ErrorBanner error={save.error} title="Could not save the plan" />
      <div className="actions">
        <Button type="submit" variant="primary" busy={save.busy} disabled={!ready}>
          Save
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}
