/** The wizard's step list: where you are, and the steps before it to go back to (until the restore starts). */
import { STEP_TITLES, STEPS, type Step } from './wizard-store.js';

export function WizardSteps({ step, onGo }: { step: Step; onGo: (s: Step) => void }) {
  const at = STEPS.indexOf(step);
  const started = at >= STEPS.indexOf('progress');
  return (
    <ol className="wizard-steps" aria-label="Restore steps">
      {STEPS.map((s, i) => {
        const current = s === step;
        const canGo = !started && i < at;
        return (
          <li
            key={s}
            className={current ? 'ws-current' : i < at ? 'ws-done' : undefined}
            aria-current={current ? 'step' : undefined}
          >
            <span className="ws-num" aria-hidden="true">
              {i + 1}
            </span>
            {canGo ? (
              <button type="button" className="ws-link" onClick={() => onGo(s)}>
                {STEP_TITLES[s]}
              </button>
            ) : (
              <span>{STEP_TITLES[s]}</span>
            )}
          </li>
        );
      })}
    </ol>
  );
}
