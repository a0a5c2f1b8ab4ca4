/**
 * How thoroughly to check: Quick (sizes and checksums from the listing, nothing downloaded) or
 * Deep (downloaded and re-hashed, all of it or a rotating share). Used by the Verify… dialog and
 * by the plan editor's Verification section.
 */
import { useId } from 'react';
import { FieldNotes } from '../components/FieldNotes.js';
import { samplePercentProblem } from './sample-percent.js';

interface Props {
  deep: boolean;
  /** The share to read, as typed (deep only). */
  sample: string;
  onChange: (patch: { deep?: boolean; sample?: string }) => void;
  /** Help under the share: the dialog reads it once, a schedule reads it every time. */
  sampleHelp: string;
}

const MODES = [
  { deep: false, label: 'Quick', help: 'Sizes and checksums, no download: fast, and free of egress charges.' },
  { deep: true, label: 'Deep', help: 'Download and re-hash: catches bytes changed behind the checksums.' },
] as const;

export function VerifyModeFields({ deep, sample, onChange, sampleHelp }: Props) {
  const id = useId();
  const problem = deep ? samplePercentProblem(sample) : undefined;
  return (
    <>
      <fieldset className="field">
        <legend>Check</legend>
        <div className="radio-col">
          {MODES.map((m) => (
            <div key={m.label} className="radio-option">
              <label className="radio">
                <input
                  type="radio"
                  name={`${id}-mode`}
                  value={m.label}
                  checked={deep === m.deep}
                  aria-describedby={`${id}-${m.label}`}
                  onChange={() => onChange({ deep: m.deep })}
                />
                {m.label}
              </label>
              <p id={`${id}-${m.label}`} className="field-help radio-help">
                {m.help}
              </p>
            </div>
          ))}
        </div>
      </fieldset>
      {deep ? (
        <div className="field">
          <label htmlFor={`${id}-sample`}>Share to read</label>
          <div className="row">
            <input
              id={`${id}-sample`}
              className="input input-tiny num"
              type="number"
              min={1}
              max={100}
              step={1}
              value={sample}
              aria-invalid={problem ? true : undefined}
              aria-describedby={`${id}-sample-unit ${problem ? `${id}-sample-problem` : `${id}-sample-help`}`}
              onChange={(e) => onChange({ sample: e.target.value })}
            />
            <span id={`${id}-sample-unit`}>%</span>
          </div>
          <FieldNotes id={`${id}-sample`} problem={problem} help={problem ? undefined : sampleHelp} />
        </div>
      ) : null}
    </>
  );
}
