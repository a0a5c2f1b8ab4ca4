/** Step 4: what to do when a file is already there, with the dry run of that rule, file by file. */
import { useId } from 'react';
import type { ConflictRule } from '../../../shared/api/entities.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { DryRunCounts, DryRunTable } from './DryRunTable.js';
import { usePreview } from './usePreview.js';
import { useWizard } from './wizard-store.js';

const RULES: { rule: ConflictRule; title: string; help: string }[] = [
  { rule: 'skip', title: 'Skip', help: 'Leave the existing file as it is (the safe choice).' },
  { rule: 'overwrite', title: 'Overwrite', help: 'Replace it with the version from the snapshot.' },
  { rule: 'keep-both', title: 'Keep both', help: 'Write the snapshot’s version beside it as “name (restored 1)”.' },
];

export function StepConflict() {
  const id = useId();
  const w = useWizard();
  const { preview, error, loading, reload } = usePreview();
  const bucket = preview?.target.kind === 'bucket' || w.target.kind === 'bucket' || w.target.kind === 'newBucket';
  return (
    <div className="wizard-step">
      <fieldset className="field">
        <legend>When a file is already there</legend>
        <div className="kind-picker">
          {RULES.map(({ rule, title, help }) => {
            const disabled = bucket && rule === 'keep-both';
            return (
              <label key={rule} className={`kind-option${disabled ? ' kind-disabled' : ''}`}>
                <input
                  type="radio"
                  name={`${id}-rule`}
                  checked={w.conflict === rule}
                  disabled={disabled}
                  onChange={() => w.set({ conflict: rule })}
                />
                <span className="kind-text">
                  <span className="kind-title">{title}</span>
                  <span className="kind-help">
                    {disabled ? 'A bucket cannot keep two objects under one key.' : help}
                  </span>
                </span>
              </label>
            );
          })}
        </div>
        <p className="field-help">A file that already holds the same content is left alone whatever the rule.</p>
      </fieldset>
      <h2 className="step-subtitle">Dry run</h2>
      <ErrorBanner error={error} title="Could not work out the dry run" onRetry={reload} />
      {loading && !preview ? (
        <p className="muted" role="status">
          Checking the target…
        </p>
      ) : null}
      {preview ? (
        <div aria-busy={loading || undefined} className="dry-run">
          <DryRunCounts p={preview} />
          <DryRunTable p={preview} />
        </div>
      ) : null}
    </div>
  );
}
