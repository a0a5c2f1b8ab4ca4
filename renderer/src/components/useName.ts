/**
 * The state behind a NameField: the name, its problem, and whether the user typed it. Until they
 * type, a suggestion (from the chosen folder or bucket) replaces the name; after that, never.
 */
import { useState } from 'react';
import { nameProblem } from './NameField.js';

export interface NameState {
  name: string;
  /** Takes a suggestion unless the user has typed a name of their own. */
  suggest(name: string): void;
  /** Checks the name on submit, shows its problem, and says whether it is fine. */
  check(): boolean;
  /** The value, problem and onChange of the NameField. */
  field: { value: string; problem: string | undefined; onChange: (typed: string) => void };
}

/** `typed`: the initial name is the user's (an existing one), so suggestions never replace it. */
export function useName(initial = '', typed = false): NameState {
  const [name, setName] = useState(initial);
  const [owned, setOwned] = useState(typed);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  return {
    name,
    suggest: (suggested) => {
      if (!owned) setName(suggested);
    },
    check: () => {
      const found = nameProblem(name);
      setProblem(found);
      return found === undefined;
    },
    field: {
      value: name,
      problem,
      onChange: (value) => {
        setName(value);
        setOwned(true);
        setProblem(undefined);
      },
    },
  };
}
