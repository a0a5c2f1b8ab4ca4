/**
 * Which snapshots a destination keeps: a preset, or custom counts per period and a keep-within
 * duration, with the policy in words as it is edited.
 */
import { useId } from 'react';
import { FieldNotes } from '../components/FieldNotes.js';
import { COUNT_RULES, describeRetention, type RetentionPolicy } from '../../../shared/retention.js';
import {
  COUNT_LABELS,
  RETENTION_CHOICES,
  customFields,
  type RetentionChoice,
  type RetentionField,
  type RetentionForm,
  type RetentionProblems,
} from './retention-form.js';

interface Props {
  form: RetentionForm;
  onChange: (form: RetentionForm) => void;
  /** The policy the fields make, when they make one. */
  policy: RetentionPolicy | undefined;
  problems: RetentionProblems;
}

export function RetentionEditor({ form, onChange, policy, problems }: Props) {
  const id = useId();

  const choose = (choice: RetentionChoice) => {
    // Custom starts from what was chosen before, so a preset can be adjusted.
    const from = choice === 'custom' && form.choice !== 'custom' && policy ? customFields(policy) : {};
    onChange({ ...form, ...from, choice });
  };

  const input = (key: RetentionField, label: string, value: string, onValue: (v: string) => void, help?: string) => {
    const fid = `${id}-${key}`;
    const problem = problems[key];
    const describedBy = [problem ? `${fid}-problem` : '', help ? `${fid}-help` : ''].filter(Boolean).join(' ');
    return (
      <div className={key === 'keepWithin' ? 'field count-wide' : 'field'} key={key}>
        <label htmlFor={fid}>{label}</label>
        <input
          id={fid}
          className={key === 'keepWithin' ? 'input input-medium mono' : 'input input-tiny num'}
          type={key === 'keepWithin' ? 'text' : 'number'}
          min={key === 'keepWithin' ? undefined : 0}
          step={key === 'keepWithin' ? undefined : 1}
          inputMode={key === 'keepWithin' ? undefined : 'numeric'}
          spellCheck={false}
          autoComplete="off"
          placeholder={key === 'keepWithin' ? 'e.g. 30d' : undefined}
          value={value}
          aria-invalid={problem ? true : undefined}
          aria-describedby={describedBy || undefined}
          onChange={(e) => onValue(e.target.value)}
        />
        <FieldNotes id={fid} problem={problem} help={help} />
      </div>
    );
  };

  return (
    <div className="retention-editor">
      <fieldset className="field">
        <legend>Snapshots to keep</legend>
        <div className="radio-col">
          {RETENTION_CHOICES.map((c) => (
            <label key={c.id} className="radio">
              <input
                type="radio"
                name={`${id}-choice`}
                value={c.id}
                checked={form.choice === c.id}
                onChange={() => choose(c.id)}
              />
              {c.label}
            </label>
          ))}
        </div>
      </fieldset>

      {form.choice === 'custom' ? (
        <div className="count-grid">
          {COUNT_RULES.map(({ key }) =>
            input(key, COUNT_LABELS[key], form.counts[key], (v) =>
              onChange({ ...form, counts: { ...form.counts, [key]: v } }),
            ),
          )}
          {input(
            'keepWithin',
            'Keep everything from the last',
            form.keepWithin,
            (v) => onChange({ ...form, keepWithin: v }),
            'A duration like 30d, 2w, 1y6m or 36h; empty for none.',
          )}
          <p className="field-help count-wide">
            Each count keeps the newest snapshot of that many hours, days, weeks, months or years; empty or 0 keeps none
            by that rule. A snapshot any rule keeps stays.
          </p>
        </div>
      ) : null}

      {policy ? <p className="preview-summary">{describeRetention(policy)}</p> : null}
    </div>
  );
}
