/**
 * When Strata keeps secrets in its passphrase vault and nobody has opened it (the desktop app on a
 * system without OS encryption, or `strata serve` started without a terminal), this asks for the
 * passphrase; the first time it creates the vault, so it asks twice.
 */
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import type { SecretsStatus } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import { Button } from './Button.js';
import { ErrorBanner } from './ErrorBanner.js';
import { useAction } from './useAction.js';

export function UnlockSecrets() {
  const id = useId();
  const [status, setStatus] = useState<SecretsStatus | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [again, setAgain] = useState('');
  const [mismatch, setMismatch] = useState(false);

  const refresh = useCallback(async () => setStatus(await api().call('secrets.status', {})), []);
  useEffect(() => {
    void refresh().catch(() => undefined);
  }, [refresh]);

  const unlock = useAction(async () => {
    if (status?.creating && passphrase !== again) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    setStatus(await api().call('secrets.unlock', { passphrase }));
    setPassphrase('');
    setAgain('');
  });

  if (!status?.locked) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void unlock.run();
  };
  return (
    <section className="unlock-banner" aria-labelledby={`${id}-h`}>
      <form onSubmit={submit} className="unlock-form">
        <h2 id={`${id}-h`}>{status.creating ? 'Choose a passphrase for your secrets' : 'Unlock your secrets'}</h2>
        <p className="muted">
          {status.creating
            ? 'Strata keeps cloud keys in an encrypted vault on this computer. Pick a passphrase you will remember: without it the saved keys cannot be read.'
            : 'Cloud keys are kept in Strata’s encrypted vault. Enter its passphrase to use cloud destinations.'}
        </p>
        {status.message ? <p className="field-help">{status.message}</p> : null}
        <div className="field">
          <label htmlFor={`${id}-p`}>Passphrase</label>
          <input
            id={`${id}-p`}
            className="input"
            type="password"
            autoComplete={status.creating ? 'new-password' : 'current-password'}
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
          />
        </div>
        {status.creating ? (
          <div className="field">
            <label htmlFor={`${id}-a`}>Passphrase again</label>
            <input
              id={`${id}-a`}
              className="input"
              type="password"
              autoComplete="new-password"
              value={again}
              onChange={(e) => setAgain(e.target.value)}
            />
            {mismatch ? <p className="field-problem">The two passphrases differ: type the same one twice.</p> : null}
          </div>
        ) : null}
        <ErrorBanner error={unlock.error} title="Could not unlock" />
        <div className="actions">
          <Button type="submit" variant="primary" busy={unlock.busy} disabled={passphrase.length === 0}>
            {status.creating ? 'Create vault' : 'Unlock'}
          </Button>
        </div>
      </form>
    </section>
  );
}
