/**
 * "Verify…": choose Quick or Deep (with the share to read), then start the check as a run of its
 * own (`verify.start`). The dialog closes once the host took it: the dashboard card shows the
 * progress and, when it ends, the result.
 */
import { useState } from 'react';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { useAction } from '../components/useAction.js';
import { FULL_SAMPLE, parseSamplePercent } from './sample-percent.js';
import { VerifyModeFields } from './VerifyModeFields.js';

interface Props {
  destination: string;
  onClose: () => void;
}

export function VerifyDialog({ destination, onClose }: Props) {
  const [deep, setDeep] = useState(false);
  const [sample, setSample] = useState(String(FULL_SAMPLE));
  const samplePercent = deep ? parseSamplePercent(sample) : FULL_SAMPLE;

  const start = useAction(async () => {
    if (samplePercent === undefined) return;
    await api().call('verify.start', { destination, deep, samplePercent });
    onClose();
  });

  return (
    <Dialog
      title={`Verify ${destination}`}
      onClose={onClose}
      actions={
        <>
          <Button
            variant="primary"
            busy={start.busy}
            disabled={samplePercent === undefined}
            onClick={() => void start.run()}
          >
            Start
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </>
      }
    >
      <p>Checks that {destination} still holds every file its snapshots need, intact.</p>
      <VerifyModeFields
        deep={deep}
        sample={sample}
        onChange={(patch) => {
          if (patch.deep !== undefined) setDeep(patch.deep);
          if (patch.sample !== undefined) setSample(patch.sample);
        }}
        sampleHelp="100% reads everything. Less reads a share now; each later deep check continues with the next share."
      />
      <ErrorBanner error={start.error} title="Could not start the verification" />
    </Dialog>
  );
}
