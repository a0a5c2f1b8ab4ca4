/** The card's verification buttons: "View report" (once there is one) and "Verify…", with their dialogs. */
import { useState } from 'react';
import type { DestinationSummary } from '../../../shared/api/entities.js';
import { Button } from '../components/Button.js';
import { VerifyDialog } from './VerifyDialog.js';
import { VerifyReportDialog } from './VerifyReportDialog.js';

interface Props {
  summary: DestinationSummary;
  /** Another run is going on (or starting): the host would refuse a check now. */
  disabled: boolean;
}

export function VerifyActions({ summary: d, disabled }: Props) {
  const [open, setOpen] = useState<'verify' | 'report' | null>(null);
  const close = () => setOpen(null);
  const reportId = d.lastVerification?.reportId;
  return (
    <>
      {reportId !== undefined ? <Button onClick={() => setOpen('report')}>View report</Button> : null}
      <Button onClick={() => setOpen('verify')} disabled={disabled}>
        Verify…
      </Button>
      {open === 'verify' ? <VerifyDialog destination={d.name} onClose={close} /> : null}
      {open === 'report' && reportId !== undefined ? (
        <VerifyReportDialog destination={d.name} reportId={reportId} onClose={close} />
      ) : null}
    </>
  );
}
