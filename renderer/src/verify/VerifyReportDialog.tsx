/**
 * "View report": a destination's verification report (`verify.reports`, found by id among its
 * latest), its problems, and repair from the destinations that hold what is missing. "Verify again"
 * starts a check of the same kind and closes, so the card shows it running and then its result.
 */
import { useCallback } from 'react';
import type { VerifyReport } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { useAction } from '../components/useAction.js';
import { useLoaded } from '../components/useLoaded.js';
import { sentence } from '../format.js';
import { useActiveRun } from '../store/activeRun.js';
import { ProblemTable } from './ProblemTable.js';
import { RepairPanel } from './RepairPanel.js';
import { ReportSummary } from './ReportSummary.js';

/** The dashboard links the latest report; a few more cover checks finished since it loaded. */
const LOOKBACK = 20;

interface Props {
  destination: string;
  reportId: number;
  onClose: () => void;
}

export function VerifyReportDialog({ destination, reportId, onClose }: Props) {
  const fetchReport = useCallback(async () => {
    const reports = await api().call('verify.reports', { destination, limit: LOOKBACK });
    const found = reports.find((r) => r.id === reportId);
    if (!found) throw new Error('this report is no longer kept: verify again for a new one');
    return found;
  }, [destination, reportId]);
  const { value: report, error, reload } = useLoaded(fetchReport);
  const busy = useActiveRun((s) => s.active !== null);

  const again = useAction(async (r: VerifyReport) => {
    // The same kind of check: a deep one reads the same share size (its sample moves on each time).
    await api().call('verify.start', {
      destination,
      deep: r.mode === 'deep',
      samplePercent: r.mode === 'deep' ? r.samplePercent : 100,
    });
    onClose();
  });

  return (
    <Dialog
      title={`Verification of ${destination}`}
      onClose={onClose}
      wide
      actions={<Button onClick={onClose}>Close</Button>}
    >
      <ErrorBanner error={error} title="Could not load the report" onRetry={() => void reload()} />
      {report === null && !error ? (
        <p className="muted" role="status">
          Loading the report…
        </p>
      ) : null}
      {report ? (
        <>
          <ReportSummary report={report} />
          {report.error && report.status === 'error' ? (
            <div role="alert" className="banner banner-err">
              <p>
                <strong>The check could not run:</strong> {sentence(report.error)}
              </p>
            </div>
          ) : null}
          {report.problems.length ? (
            <>
              <h3>Problems</h3>
              <ProblemTable destination={destination} problems={report.problems} />
            </>
          ) : report.status === 'ok' ? (
            <p>Every stored version the snapshots reference is there, intact.</p>
          ) : null}
          <RepairPanel
            destination={destination}
            reportId={report.id}
            problems={report.problems}
            onVerifyAgain={() => void again.run(report)}
            verifyBusy={again.busy}
            blocked={busy}
          />
          <ErrorBanner error={again.error} title="Could not start the verification" onDismiss={again.clearError} />
        </>
      ) : null}
    </Dialog>
  );
}
