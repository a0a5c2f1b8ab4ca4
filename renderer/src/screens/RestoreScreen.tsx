/**
 * Restore: a wizard from a snapshot to files on disk or in a bucket. Snapshot, files, where to,
 * existing files (with a dry run), summary, then the run's progress and its report. Nothing is
 * written before "Start restore".
 */
import { useState } from 'react';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { useAction } from '../components/useAction.js';
import { requestInput, targetProblem } from '../restore/request.js';
import { nothingTicked } from '../restore/selection.js';
import { StepConflict } from '../restore/StepConflict.js';
import { StepProgress } from '../restore/StepProgress.js';
import { StepReport } from '../restore/StepReport.js';
import { StepSelect } from '../restore/StepSelect.js';
import { StepSnapshot } from '../restore/StepSnapshot.js';
import { StepSummary } from '../restore/StepSummary.js';
import { StepTarget } from '../restore/StepTarget.js';
import { WizardSteps } from '../restore/WizardSteps.js';
import { STEPS, STEP_TITLES, useWizard, type Step } from '../restore/wizard-store.js';
import '../restore/restore.css';
import { ScreenHeader } from './ScreenHeader.js';

export function RestoreScreen() {
  const w = useWizard();
  const [showProblems, setShowProblems] = useState(false);
  const start = useAction(async () => {
    const { runId } = await api().call('restore.start', requestInput(w));
    w.set({ runId, step: 'progress' });
  });

  const at = STEPS.indexOf(w.step);
  const back = at > 0 && at <= STEPS.indexOf('summary') ? STEPS[at - 1] : undefined;
  const next = (): void => {
    if (w.step === 'target' && targetProblem(w.target)) {
      setShowProblems(true);
      return;
    }
    setShowProblems(false);
    w.go(STEPS[at + 1] as Step);
  };
  const nextDisabled = (w.step === 'snapshot' && !w.snapshotId) || (w.step === 'select' && nothingTicked(w.decisions));

  return (
    <>
      <ScreenHeader
        title="Restore"
        subtitle="Get files back from a snapshot: into their original place, another folder, or a bucket."
      />
      <WizardSteps step={w.step} onGo={w.go} />
      <section className="panel wizard" aria-labelledby="wizard-step-title">
        <h2 id="wizard-step-title">
          {at + 1}. {STEP_TITLES[w.step]}
          {w.presetPath && at < STEPS.indexOf('progress') ? (
            <span className="muted wizard-preset"> · /{w.presetPath}</span>
          ) : null}
        </h2>
        {w.step === 'snapshot' ? <StepSnapshot /> : null}
        {w.step === 'select' ? <StepSelect /> : null}
        {w.step === 'target' ? <StepTarget showProblems={showProblems} /> : null}
        {w.step === 'conflict' ? <StepConflict /> : null}
        {w.step === 'summary' ? <StepSummary startError={start.error} /> : null}
        {w.step === 'progress' ? <StepProgress /> : null}
        {w.step === 'report' ? <StepReport /> : null}
        {w.step === 'progress' ? null : (
          <div className="wizard-nav">
            {back ? <Button onClick={() => w.go(back)}>Back</Button> : <span />}
            {w.step === 'summary' ? (
              <Button variant="primary" size="lg" busy={start.busy} onClick={() => void start.run()}>
                Start restore
              </Button>
            ) : null}
            {at < STEPS.indexOf('summary') ? (
              <Button variant="primary" disabled={nextDisabled} onClick={next}>
                Next
              </Button>
            ) : null}
            {w.step === 'report' ? (
              <Button variant="primary" onClick={() => w.reset()}>
                Restore something else
              </Button>
            ) : null}
          </div>
        )}
      </section>
    </>
  );
}
