/**
 * A vault's new passphrase, typed twice. Only the key is re-wrapped, so it is quick; other
 * computers sharing the vault need the new passphrase from then on, which the dialog says.
 */
import { useId, useState } from 'react';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { Dialog } from '../components/Dialog.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { useAction } from '../components/useAction.js';
import { EMPTY_PAIR, passphraseProblems, type PassphraseProblems } from './passphrase-form.js';
import { PassphraseFields } from './PassphraseFields.js';

export function ChangePassphraseDialog({
  destination,
  onDone,
  onClose,
}: {
  destination: string;
  onDone: () => void;
  onClose: () => void;
}) {
  const id = useId();
  const [pair, setPair] = useState(EMPTY_PAIR);
  const [problems, setProblems] = useState<PassphraseProblems>({});
  const change = useAction(async () => {
    const found = passphraseProblems(pair);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    await api().call('destinations.changePassphrase', { name: destination, passphrase: pair.passphrase });
    onDone();
  });
  const formId = `${id}-form`;
  return (
    <Dialog
      title={`Change the passphrase of ${destination}`}
      onClose={onClose}
      actions={
        <>
          <Button type="submit" form={formId} variant="primary" busy={change.busy}>
            Change passphrase
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </>
      }
    >
      <form
        id={formId}
        className="dialog-form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void change.run();
        }}
      >
        <p>
          The vault’s key is re-encrypted with the new passphrase; no backup is rewritten. Other computers that share
          this vault need the new passphrase from now on.
        </p>
        <PassphraseFields
          id={id}
          label="New passphrase"
          value={pair}
          problems={problems}
          onChange={(patch) => {
            setPair((p) => ({ ...p, ...patch }));
            setProblems({});
          }}
        />
        <ErrorBanner error={change.error} title="Could not change the passphrase" />
      </form>
    </Dialog>
  );
}
