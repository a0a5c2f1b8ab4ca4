/**
 * The name of a source or destination: one field with the contract's rule, used by both editors.
 * Typing marks the name as the user's own, so a suggestion from the folder or bucket no longer
 * replaces it.
 */
import type { ReactNode } from 'react';
import { Name } from '../../../shared/api/entities.js';

/** What is wrong with a name, in words, or undefined when it is fine. */
export function nameProblem(name: string): string | undefined {
  if (!name) return 'Give a name';
  const parsed = Name.safeParse(name);
  return parsed.success ? undefined : `Use ${parsed.error.issues[0]?.message ?? 'another name'}`;
}

export function NameField({
  id,
  value,
  onChange,
  problem,
  help,
  disabled = false,
}: {
  /** Prefix for the input's ids. */
  id: string;
  value: string;
  /** Called with what the user typed. */
  onChange: (name: string) => void;
  problem?: string | undefined;
  help: ReactNode;
  disabled?: boolean;
}) {
  return (
    <div className="field">
      <label htmlFor={`${id}-name`}>Name</label>
      <input
        id={`${id}-name`}
        className="input"
        type="text"
        spellCheck={false}
        autoComplete="off"
        value={value}
        disabled={disabled}
        aria-invalid={problem ? true : undefined}
        aria-describedby={`${id}-name-help`}
        onChange={(e) => onChange(e.target.value)}
      />
      {problem ? <p className="field-problem">{problem}</p> : null}
      <p id={`${id}-name-help`} className="field-help">
        {help}
      </p>
    </div>
  );
}
