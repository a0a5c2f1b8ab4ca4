/**
 * The dashboard's run banner while a verification runs: what is checked, how far, and Cancel
 * (runs.cancel stops it between two versions; the report then says cancelled).
 */
import type { ActiveRun } from '../../../shared/api/entities.js';
import { Button } from '../components/Button.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { formatRelative } from '../format.js';
import { bytesReadWords, verifyValue, verifyWords } from './verify-progress.js';

interface Props {
  active: ActiveRun;
  /** The destination's name (the run names it by id). */
  destination: string;
  onCancel: () => void;
  cancelling: boolean;
}

export function VerifyRunBanner({ active, destination, onCancel, cancelling }: Props) {
  const p = active.total;
  const read = bytesReadWords(p);
  return (
    <section className="run-banner" aria-label="Verification in progress">
      <div className="run-banner-text">
        <p className="run-banner-title">
          {cancelling ? 'Stopping the verification…' : `Verifying ${destination}…`}
          <span className="muted"> · started {formatRelative(active.startedAt)}</span>
        </p>
        <p className="progress-line num">
          <span>{verifyWords(p)}</span>
          {read ? <span>{read}</span> : null}
        </p>
      </div>
      <ProgressBar label="Verify progress" value={verifyValue(p)} valueText={verifyWords(p)} />
      <Button onClick={onCancel} disabled={cancelling}>
        Cancel
      </Button>
    </section>
  );
}
