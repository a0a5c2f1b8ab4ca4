/** Step 6: the restore running: files, bytes, rate and time left, with Cancel. Moves on to the report when it ends. */
import { useEffect } from 'react';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { useAction } from '../components/useAction.js';
import { formatBytes, formatCount, formatEta, formatRate, percent } from '../format.js';
import { useActiveRun } from '../store/activeRun.js';
import { useWizard } from './wizard-store.js';

export function StepProgress() {
  const runId = useWizard((s) => s.runId);
  const go = useWizard((s) => s.go);
  const active = useActiveRun((s) => (s.active?.runId === runId ? s.active : null));
  const finished = useActiveRun((s) => (s.lastFinished?.runId === runId ? s.lastFinished : null));
  const cancel = useAction(() => api().call('runs.cancel', {}));

  // The run may have finished before this view saw a single progress event.
  useEffect(() => {
    if (finished) go('report');
  }, [finished, go]);
  useEffect(() => {
    if (runId === null) return;
    let live = true;
    const check = setInterval(() => {
      void api()
        .call('runs.active', {})
        .then((a) => {
          if (live && a?.runId !== runId) go('report');
        });
    }, 2000);
    return () => {
      live = false;
      clearInterval(check);
    };
  }, [runId, go]);

  const p = active?.total;
  return (
    <div className="wizard-step" role="region" aria-label="Restore in progress">
      <ProgressBar
        label="Restore progress"
        value={p && p.scanDone ? percent(p.bytesSent, p.bytesToSend) : undefined}
        valueText={p ? `${formatBytes(p.bytesSent)} of ${formatBytes(p.bytesToSend)}` : 'Starting'}
      />
      <p className="progress-line" aria-live="off">
        <span className="pl-files">
          {p ? `${formatCount(p.filesSent)} of ${formatCount(p.filesToSend)} files` : 'Reading the snapshot…'}
        </span>
        <span className="pl-bytes">{p ? `${formatBytes(p.bytesSent)} of ${formatBytes(p.bytesToSend)}` : ''}</span>
        <span className="pl-rate">{p && p.bytesPerSecond ? formatRate(p.bytesPerSecond) : ''}</span>
        <span className="pl-eta">{p ? formatEta(p.etaSeconds) : ''}</span>
      </p>
      {p?.current ? (
        <p className="muted progress-current" title={p.current}>
          {p.current}
        </p>
      ) : null}
      <div className="actions">
        <Button variant="danger" busy={cancel.busy || !!active?.cancelling} onClick={() => void cancel.run()}>
          {active?.cancelling ? 'Cancelling…' : 'Cancel'}
        </Button>
        <span className="muted">What is already restored stays; the same restore again continues from there.</span>
      </div>
      <ErrorBanner error={cancel.error} title="Could not cancel" />
    </div>
  );
}
