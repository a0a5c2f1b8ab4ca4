/**
 * Step 5: the last look before anything is written: from where, to where, how many files and
 * bytes, what downloading them costs at the destination's provider (egress, requests, retrieval),
 * and how long it should take at the speed measured on earlier runs.
 */
import { ErrorBanner } from '../components/ErrorBanner.js';
import { formatBytes, formatDateTime, formatDuration, formatRate, plural } from '../format.js';
import { DryRunCounts } from './DryRunTable.js';
import { RestoreCost } from './RestoreCost.js';
import { usePreview } from './usePreview.js';
import { useWizard } from './wizard-store.js';

export function StepSummary({ startError }: { startError: unknown }) {
  const w = useWizard();
  const { preview: p, error, reload } = usePreview();
  return (
    <div className="wizard-step">
      <ErrorBanner error={error} title="Could not work out the summary" onRetry={reload} />
      {!p && !error ? (
        <p className="muted" role="status">
          Adding it up…
        </p>
      ) : null}
      {p ? (
        <>
          <dl className="about-list summary-list">
            <div>
              <dt>From</dt>
              <dd>
                {w.destination}: snapshot of {p.sourceName} taken {formatDateTime(p.snapshotTime)}
              </dd>
            </div>
            <div>
              <dt>To</dt>
              <dd className="mono">{p.target.label}</dd>
            </div>
            <div>
              <dt>Files</dt>
              <dd>
                {plural(p.files, 'file')}, {formatBytes(p.bytes)}
              </dd>
            </div>
            <div>
              <dt>Existing files</dt>
              <dd>
                <DryRunCounts p={p} />
              </dd>
            </div>
            <div>
              <dt>Egress</dt>
              <dd>
                {formatBytes(p.egressBytes)} downloaded from {w.destination}
              </dd>
            </div>
            <div>
              <dt>Cost</dt>
              <dd>
                <RestoreCost cost={p.cost} />
              </dd>
            </div>
            <div>
              <dt>Time</dt>
              <dd>
                {p.estimatedSeconds === null || !p.throughput
                  ? 'No estimate yet: nothing has been measured on this destination.'
                  : `About ${formatDuration(p.estimatedSeconds)} at ${formatRate(p.throughput.bytesPerSecond)}, measured on ${
                      p.throughput.basis === 'restores' ? 'recent restores' : 'recent backups'
                    }`}
              </dd>
            </div>
          </dl>
          <p className="muted">
            Every file is checked against its SHA-256 before it is put in place. You can cancel at any time; running the
            same restore again continues where it stopped.
          </p>
        </>
      ) : null}
      <ErrorBanner error={startError} title="Could not start the restore" />
    </div>
  );
}
