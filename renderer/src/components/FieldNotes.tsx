/**
 * What goes under a form control: its problem (when there is one) and its help, with the ids
 * the control's aria-describedby points at (`${id}-problem`, `${id}-help`).
 */
import type { ReactNode } from 'react';

export function FieldNotes({ id, problem, help }: { id: string; problem?: ReactNode; help?: ReactNode }) {
  return (
    <>
      {problem ? (
        <p id={`${id}-problem`} className="field-problem">
          {problem}
        </p>
      ) : null}
      {help ? (
        <p id={`${id}-help`} className="field-help">
          {help}
        </p>
      ) : null}
    </>
  );
}
