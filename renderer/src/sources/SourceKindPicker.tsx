/** Chooses what a new source is: a folder, a bucket or Google Drive (radio cards, one line of help each). */
import { useId } from 'react';
import { KIND_HELP, KIND_LABEL, SOURCE_KINDS, type SourceKind } from './kinds.js';

interface Props {
  value: SourceKind;
  onChange: (kind: SourceKind) => void;
}

export function SourceKindPicker({ value, onChange }: Props) {
  const id = useId();
  return (
    <fieldset className="field">
      <legend>What to back up</legend>
      <div className="kind-picker">
        {SOURCE_KINDS.map((kind) => (
          <label key={kind} className="kind-option">
            <input type="radio" name={`${id}-kind`} checked={value === kind} onChange={() => onChange(kind)} />
            {/* The help is part of the label, so each radio's name says what it covers. */}
            <span className="kind-text">
              <span className="kind-title">{KIND_LABEL[kind]}</span>{' '}
              <span className="kind-help">{KIND_HELP[kind]}</span>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
