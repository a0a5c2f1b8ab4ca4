/** The card's bar while its destination is being verified (the run banner above has the Cancel). */
import type { Progress } from '../../../shared/api/entities.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { bytesReadWords, verifyValue, verifyWords } from './verify-progress.js';

export function VerifyCardProgress({ destination, progress: p }: { destination: string; progress: Progress }) {
  const read = bytesReadWords(p);
  return (
    <>
      <ProgressBar label={`Verify progress of ${destination}`} value={verifyValue(p)} valueText={verifyWords(p)} />
      <p className="progress-line num">
        <span>{verifyWords(p)}</span>
        {read ? <span>{read}</span> : null}
      </p>
    </>
  );
}
