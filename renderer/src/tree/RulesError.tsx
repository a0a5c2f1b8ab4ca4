import type { ActionError } from './store.js';

/** A problem in the Rules panel: what went wrong, then what to do. */
export function RulesError({ error }: { error: ActionError | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="tree-rules-error">
      {error.message}
      {error.hint && <> {error.hint}</>}
    </p>
  );
}
