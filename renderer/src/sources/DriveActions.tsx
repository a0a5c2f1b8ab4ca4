/**
 * A Drive source's connection buttons: Disconnect (confirmed; revokes Strata's access at Google,
 * the source and its backups stay) while connected, Reconnect (a new Google sign-in for the same
 * source, its saved OAuth client reused) once disconnected. The sign-in waits in a dialog.
 */
import { useState } from 'react';
import type { SourceInfo } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { ConfirmDialog, Dialog } from '../components/Dialog.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { DriveWaiting } from './DriveWaiting.js';
import { useDriveSignIn } from './useDriveSignIn.js';

interface Props {
  source: SourceInfo;
  /** The source changed at the host (connected or disconnected): reload the list. */
  onChanged: () => void | Promise<void>;
}

export function DriveActions({ source, onChanged }: Props) {
  const [disconnecting, setDisconnecting] = useState(false);
  const signIn = useDriveSignIn(() => void onChanged());
  const { state } = signIn;
  const reconnect = () => void signIn.start({ name: source.name });
  const dialogOpen = state.phase !== 'idle' || Boolean(signIn.startError) || Boolean(signIn.cancelError);

  return (
    <>
      {source.connected ? (
        <Button size="sm" onClick={() => setDisconnecting(true)} aria-label={`Disconnect ${source.name}`}>
          Disconnect
        </Button>
      ) : (
        <Button size="sm" onClick={reconnect} busy={signIn.starting} aria-label={`Reconnect ${source.name}`}>
          Reconnect
        </Button>
      )}

      {dialogOpen ? (
        <Dialog
          title={`Reconnect ${source.name}`}
          onClose={signIn.reset}
          actions={
            state.phase === 'waiting' ? (
              <Button onClick={() => void signIn.cancel()}>Cancel</Button>
            ) : (
              <>
                <Button variant="primary" onClick={reconnect} busy={signIn.starting}>
                  Try again
                </Button>
                <Button onClick={signIn.reset}>Close</Button>
              </>
            )
          }
        >
          {state.phase === 'waiting' ? <DriveWaiting url={state.url} /> : null}
          <ErrorBanner error={signIn.startError} title="Could not start the sign-in" />
          <ErrorBanner error={state.phase === 'failed' ? state.error : null} title="Could not reconnect" />
          <ErrorBanner error={signIn.cancelError} title="Could not cancel the sign-in" />
        </Dialog>
      ) : null}

      {disconnecting ? (
        <ConfirmDialog
          title={`Disconnect ${source.name}?`}
          confirmLabel="Disconnect"
          danger
          onConfirm={async () => {
            await api().call('sources.gdrive.disconnect', { name: source.name });
            await onChanged();
          }}
          onClose={() => setDisconnecting(false)}
        >
          <p>
            Strata signs out of Google{source.account ? ` (${source.account})` : ''} and asks Google to revoke its
            access. Backups of this Drive stop until you reconnect; the backups already made and your folder choices
            stay.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
