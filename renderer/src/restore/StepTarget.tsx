/**
 * Step 3: where to. The original place (a local folder, or back into the bucket it came from; a
 * Google Drive cannot be written, and the reason is shown), another folder on this computer, or a
 * bucket (an S3 destination or a bucket source) below a key prefix, or another bucket given by its
 * settings and secret, used for this restore only and never saved.
 */
import { useEffect, useId, useMemo } from 'react';
import { PROVIDERS, checkForm, type DestinationForm } from '../../../shared/providers.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { FieldNotes } from '../components/FieldNotes.js';
import { FolderPicker } from '../components/FolderPicker.js';
import { ProviderSelect } from '../components/ProviderSelect.js';
import { S3Fields } from '../components/S3Fields.js';
import { targetProblem } from './request.js';
import { useTargets } from './useTargets.js';
import { useWizard, type TargetForm } from './wizard-store.js';

const CLOUD = PROVIDERS.filter((p) => p.kind === 's3');

export function StepTarget({ showProblems }: { showProblems: boolean }) {
  const id = useId();
  const w = useWizard();
  const targets = useTargets(w.destination, w.snapshotId);
  const t = w.target;
  const update = (patch: Partial<TargetForm>) => w.set({ target: { ...t, ...patch } });
  const original = targets.value?.original;
  const buckets = useMemo(() => targets.value?.buckets ?? [], [targets.value]);

  // A bucket has no "keep both": choosing one moves that rule back to skip.
  const set = w.set;
  useEffect(() => {
    const bucketTarget =
      t.kind === 'bucket' || t.kind === 'newBucket' || (t.kind === 'original' && original?.kind === 'bucket');
    if (bucketTarget && w.conflict === 'keep-both') set({ conflict: 'skip' });
  }, [t.kind, original?.kind, w.conflict, set]);
  useEffect(() => {
    if (t.kind === 'bucket' && !t.bucket && buckets[0]) set({ target: { ...t, bucket: buckets[0].name } });
  }, [t, buckets, set]);

  const problem = showProblems ? targetProblem(t) : undefined;
  const bucketProblems = showProblems && t.kind === 'newBucket' ? checkForm(t.newBucket, { secretSaved: false }) : {};
  const updateBucket = (patch: Partial<DestinationForm>) => update({ newBucket: { ...t.newBucket, ...patch } });
  const radio = (kind: TargetForm['kind'], title: string, help: string, disabled = false) => (
    <label className={`kind-option${disabled ? ' kind-disabled' : ''}`}>
      <input
        type="radio"
        name={`${id}-kind`}
        checked={t.kind === kind}
        disabled={disabled}
        onChange={() => update({ kind })}
      />
      <span className="kind-text">
        <span className="kind-title">{title}</span>
        <span className="kind-help">{help}</span>
      </span>
    </label>
  );

  return (
    <div className="wizard-step">
      <ErrorBanner error={targets.error} title="Could not look up the targets" onRetry={() => void targets.reload()} />
      <fieldset className="field">
        <legend>Restore to</legend>
        <div className="kind-picker">
          {radio(
            'original',
            'The original place',
            original
              ? original.available
                ? (original.label ?? '')
                : (original.reason ?? 'Not available')
              : 'Looking it up…',
            !original?.available,
          )}
          {radio('folder', 'Another folder', 'A folder on this computer; the snapshot’s top folder becomes it.')}
          {radio(
            'bucket',
            'A bucket',
            buckets.length
              ? 'An S3 destination or a bucket source, below a key prefix.'
              : 'No S3 destination or bucket source yet.',
            buckets.length === 0,
          )}
          {radio(
            'newBucket',
            'Another bucket',
            'Enter its details (S3-compatible); they are used for this restore only and never saved.',
          )}
        </div>
      </fieldset>
      {t.kind === 'original' && original?.available ? (
        <p className="target-note">
          Files go back to <strong className="mono">{original.label}</strong>. Existing files are handled by the next
          step’s rule.
        </p>
      ) : null}
      {t.kind === 'folder' ? (
        <FolderPicker
          label="Folder to restore into"
          value={t.folder}
          onChange={(folder) => update({ folder })}
          problem={problem}
        />
      ) : null}
      {t.kind === 'bucket' ? (
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-bucket`}>Bucket</label>
            <select
              id={`${id}-bucket`}
              className="input input-medium"
              value={t.bucket}
              aria-describedby={problem ? `${id}-bucket-problem` : undefined}
              onChange={(e) => update({ bucket: e.target.value })}
            >
              {buckets.map((b) => (
                <option key={b.name} value={b.name}>
                  {b.name} ({b.kind === 'source' ? 'bucket source' : 'destination'}: {b.label})
                </option>
              ))}
            </select>
            <FieldNotes id={`${id}-bucket`} problem={problem} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-prefix`}>Key prefix</label>
            <input
              id={`${id}-prefix`}
              className="input input-medium mono"
              type="text"
              value={t.prefix}
              placeholder="restored/2026-05"
              spellCheck={false}
              autoComplete="off"
              aria-describedby={`${id}-prefix-help`}
              onChange={(e) => update({ prefix: e.target.value })}
            />
            <FieldNotes id={`${id}-prefix`} help="Empty puts the objects under their original keys." />
          </div>
        </div>
      ) : null}
      {t.kind === 'newBucket' ? (
        <div className="new-bucket" role="group" aria-label="Another bucket">
          <ProviderSelect id={`${id}-nb`} value={t.newBucket.provider} offered={CLOUD} update={updateBucket} />
          <S3Fields
            id={`${id}-nb`}
            form={t.newBucket}
            update={updateBucket}
            problems={bucketProblems}
            prefixHelp="Optional: the objects go below this key prefix; empty puts them under their original keys."
            secretHelp="Used for this restore only: not saved, not shown again."
          />
          <p className="target-note">
            The key needs write access. Strata keeps none of this: not the settings, not the secret.
          </p>
        </div>
      ) : null}
    </div>
  );
}
