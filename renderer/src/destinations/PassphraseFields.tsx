/** Two password fields, the passphrase and its confirmation, with their problems under them. */
import { FieldNotes } from '../components/FieldNotes.js';
import type { PassphrasePair, PassphraseProblems } from './passphrase-form.js';

interface Props {
  /** Prefix for the inputs' ids. */
  id: string;
  value: PassphrasePair;
  problems: PassphraseProblems;
  onChange: (patch: Partial<PassphrasePair>) => void;
  /** "Passphrase" or "New passphrase". */
  label: string;
  help?: string;
}

export function PassphraseFields({ id, value, problems, onChange, label, help }: Props) {
  const field = (key: keyof PassphrasePair, text: string, notes?: string) => {
    const inputId = `${id}-${key}`;
    const problem = problems[key];
    return (
      <div className="field">
        <label htmlFor={inputId}>{text}</label>
        <input
          id={inputId}
          className="input"
          type="password"
          // A new secret: let a password manager offer to save it, never to fill an old one in.
          autoComplete="new-password"
          spellCheck={false}
          value={value[key]}
          aria-invalid={problem ? true : undefined}
          aria-describedby={
            [problem ? `${inputId}-problem` : '', notes ? `${inputId}-help` : ''].join(' ').trim() || undefined
          }
          onChange={(e) => onChange({ [key]: e.target.value })}
        />
        <FieldNotes id={inputId} problem={problem} help={notes} />
      </div>
    );
  };
  return (
    <>
      {field('passphrase', label, help)}
      {field('confirm', `Confirm ${label.toLowerCase()}`)}
    </>
  );
}
