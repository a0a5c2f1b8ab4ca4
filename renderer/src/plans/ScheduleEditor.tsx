/**
 * When a destination backs up on its own: the kind of schedule and its fields, then the schedule in
 * words and its next three runs in the host's time zone (from `schedules.preview`). A cron
 * expression the host refuses shows its message and hint at the field.
 */
import { useId, type ReactNode } from 'react';
import { FieldNotes } from '../components/FieldNotes.js';
import { ApiError } from '../../../shared/api/client.js';
import { WEEKDAYS, describeSchedule, type ScheduleSpec, type Weekday } from '../../../shared/schedule.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { errorWords } from '../components/errors.js';
import { formatRunTime } from '../format.js';
import { useSettings } from '../store/settings.js';
import {
  CRON_EXAMPLE,
  SCHEDULE_KINDS,
  type FieldProblem,
  type ScheduleField,
  type ScheduleForm,
  type ScheduleKind,
} from './schedule-form.js';
import type { PreviewState } from './useSchedulePreview.js';

interface Props {
  form: ScheduleForm;
  onChange: (patch: Partial<ScheduleForm>) => void;
  /** The schedule the fields make, or what is wrong with them. */
  spec: ScheduleSpec | undefined;
  problem: FieldProblem | undefined;
  preview: PreviewState;
}

/** The host's refusal of the schedule as a field problem (message and hint), when it is one. */
export function previewProblem(preview: PreviewState): string | undefined {
  if (!(preview.error instanceof ApiError) || preview.error.code !== 'usage') return undefined;
  const { message, hint } = errorWords(preview.error);
  return hint ? `${message}: ${hint}` : message;
}

export function ScheduleEditor({ form, onChange, spec, problem, preview }: Props) {
  const id = useId();
  const paused = useSettings((s) => s.settings?.schedulesPaused ?? false);
  const refused = previewProblem(preview);
  const problemAt = (field: ScheduleField): string | undefined =>
    problem?.field === field ? problem.text : field === 'expression' ? refused : undefined;

  const field = (key: ScheduleField | 'weekday', label: string, control: ReactNode, help?: ReactNode) => {
    const fid = `${id}-${key}`;
    const text = key === 'weekday' ? undefined : problemAt(key);
    return (
      <div className="field" key={key}>
        <label htmlFor={fid}>{label}</label>
        {control}
        <FieldNotes id={fid} problem={text} help={help} />
      </div>
    );
  };

  // Ids of the problem and help under a field, for its input's aria-describedby.
  const describedBy = (key: ScheduleField, help: boolean) =>
    [problemAt(key) ? `${id}-${key}-problem` : '', help ? `${id}-${key}-help` : ''].filter(Boolean).join(' ') ||
    undefined;
  const invalid = (key: ScheduleField) => (problemAt(key) ? true : undefined);

  const timeField = field(
    'time',
    'Time',
    <input
      id={`${id}-time`}
      className="input input-time num"
      type="time"
      required
      value={form.time}
      aria-invalid={invalid('time')}
      aria-describedby={describedBy('time', false)}
      onChange={(e) => onChange({ time: e.target.value })}
    />,
  );

  return (
    <div className="schedule-editor">
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-kind`}>How often</label>
          <select
            id={`${id}-kind`}
            className="input input-medium"
            value={form.kind}
            onChange={(e) => onChange({ kind: e.target.value as ScheduleKind })}
          >
            {SCHEDULE_KINDS.map((k) => (
              <option key={k.id} value={k.id}>
                {k.label}
              </option>
            ))}
          </select>
        </div>

        {form.kind === 'hourly'
          ? field(
              'minute',
              'Minute past the hour',
              <input
                id={`${id}-minute`}
                className="input input-tiny num"
                type="number"
                min={0}
                max={59}
                step={1}
                value={form.minute}
                aria-invalid={invalid('minute')}
                aria-describedby={describedBy('minute', false)}
                onChange={(e) => onChange({ minute: e.target.value })}
              />,
            )
          : null}

        {form.kind === 'weekly'
          ? field(
              'weekday',
              'Day',
              <select
                id={`${id}-weekday`}
                className="input input-medium"
                value={form.weekday}
                onChange={(e) => onChange({ weekday: e.target.value as Weekday })}
              >
                {WEEKDAYS.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>,
            )
          : null}

        {form.kind === 'monthly'
          ? field(
              'dayOfMonth',
              'Day of the month',
              <input
                id={`${id}-dayOfMonth`}
                className="input input-tiny num"
                type="number"
                min={1}
                max={31}
                step={1}
                value={form.dayOfMonth}
                aria-invalid={invalid('dayOfMonth')}
                aria-describedby={describedBy('dayOfMonth', false)}
                onChange={(e) => onChange({ dayOfMonth: e.target.value })}
              />,
            )
          : null}

        {form.kind === 'daily' || form.kind === 'weekly' || form.kind === 'monthly' ? timeField : null}
      </div>

      {form.kind === 'monthly' ? (
        <p className="field-help">Days 29–31 run on the last day of shorter months, so no month is skipped.</p>
      ) : null}

      {form.kind === 'cron'
        ? field(
            'expression',
            'Cron expression',
            <input
              id={`${id}-expression`}
              className="input input-cron mono"
              type="text"
              spellCheck={false}
              autoComplete="off"
              placeholder={CRON_EXAMPLE}
              value={form.expression}
              aria-invalid={invalid('expression')}
              aria-describedby={describedBy('expression', true)}
              onChange={(e) => onChange({ expression: e.target.value })}
            />,
            <>
              Five fields: minute, hour, day of the month, month, day of the week. For example{' '}
              <code className="mono">{CRON_EXAMPLE}</code> runs every day at 02:30.
            </>,
          )
        : null}

      {refused && form.kind !== 'cron' ? <p className="field-problem">{refused}</p> : null}
      {preview.error && !refused ? (
        <ErrorBanner error={preview.error} title="Could not work out the next runs" />
      ) : null}
      {spec && !refused ? <PreviewView spec={spec} preview={preview} paused={paused} /> : null}
    </div>
  );
}

function PreviewView({ spec, preview, paused }: { spec: ScheduleSpec; preview: PreviewState; paused: boolean }) {
  const id = useId();
  const p = preview.preview;
  return (
    <div className="schedule-preview" aria-busy={preview.pending || undefined}>
      <p className="preview-summary">{p?.summary ?? describeSchedule(spec)}</p>
      {spec.kind === 'manual' ? (
        <p className="muted">Runs only when you press Back up now.</p>
      ) : preview.pending || !p ? (
        <p className="muted">Working out the next runs…</p>
      ) : p.nextRuns.length === 0 ? (
        <p className="muted">No run is coming up with this schedule.</p>
      ) : (
        <>
          <p id={`${id}-next`} className="preview-label">
            Next runs ({p.timeZone} time)
          </p>
          <ol className="next-runs" aria-labelledby={`${id}-next`}>
            {p.nextRuns.map((t) => (
              <li key={t}>
                <time className="num" dateTime={new Date(t).toISOString()}>
                  {formatRunTime(t, p.timeZone)}
                </time>
              </li>
            ))}
          </ol>
        </>
      )}
      {paused && spec.kind !== 'manual' ? (
        <p className="warn-text">
          Schedules are paused: nothing runs on its own until you resume them on the dashboard.
        </p>
      ) : null}
    </div>
  );
}
