/**
 * Google Drive as a source: a name and the user's own OAuth client (id and secret), then "Sign in
 * with Google" and the wait for Google's answer (useDriveSignIn). The source exists once the sign-in
 * is done; until then nothing is saved.
 */
import { useId, useState } from 'react';
import type { SourceInfo } from '../../../shared/api/entities.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { FieldNotes } from '../components/FieldNotes.js';
import { NameField } from '../components/NameField.js';
import { useName } from '../components/useName.js';
import { DriveWaiting } from './DriveWaiting.js';
import { useDriveSignIn } from './useDriveSignIn.js';

interface Props {
  onAdded: (source: SourceInfo) => void;
  onCancel?: (() => void) | undefined;
}

type Problems = { clientId?: string; clientSecret?: string };

export function DriveSourceForm({ onAdded, onCancel }: Props) {
  const id = useId();
  const name = useName('google-drive');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [problems, setProblems] = useState<Problems>({});
  const signIn = useDriveSignIn(onAdded);
  const { state } = signIn;

  const submit = () => {
    const found: Problems = {};
    if (!clientId.trim()) found.clientId = 'Give the OAuth client ID';
    if (!clientSecret.trim()) found.clientSecret = 'Give the client secret';
    setProblems(found);
    if (!name.check() || Object.keys(found).length > 0) return;
    void signIn.start({ name: name.name, clientId: clientId.trim(), clientSecret: clientSecret.trim() });
  };

  const described = (key: keyof Problems, help: boolean) =>
    [problems[key] ? `${id}-${key}-problem` : '', help ? `${id}-${key}-help` : ''].filter(Boolean).join(' ') ||
    undefined;

  return (
    <form
      className="editor source-form"
      aria-label="New Google Drive source"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="provider-help">
        <p>
          Strata signs in to Google with an OAuth client of your own. Create a “Desktop app” client in the Google Cloud
          console, as the README’s section <strong>Google Drive: create your OAuth client</strong> explains, then paste
          its client ID and secret here.
        </p>
        <p>“Sign in with Google” opens Google in a new tab: choose the account and allow Strata to read your files.</p>
      </div>
      <fieldset className="plain-fieldset" disabled={state.phase === 'waiting'}>
        <NameField id={id} {...name.field} help="A short name for this Drive in Strata and in the backups." />
        <div className="field">
          <label htmlFor={`${id}-clientId`}>OAuth client ID</label>
          <input
            id={`${id}-clientId`}
            className="input mono"
            type="text"
            spellCheck={false}
            autoComplete="off"
            placeholder="1234567890-abc.apps.googleusercontent.com"
            value={clientId}
            aria-invalid={problems.clientId ? true : undefined}
            aria-describedby={described('clientId', false)}
            onChange={(e) => {
              setClientId(e.target.value);
              setProblems(({ clientId: _drop, ...rest }) => rest);
            }}
          />
          <FieldNotes id={`${id}-clientId`} problem={problems.clientId} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-clientSecret`}>Client secret</label>
          <input
            id={`${id}-clientSecret`}
            className="input"
            type="password"
            spellCheck={false}
            autoComplete="new-password"
            value={clientSecret}
            aria-invalid={problems.clientSecret ? true : undefined}
            aria-describedby={described('clientSecret', true)}
            onChange={(e) => {
              setClientSecret(e.target.value);
              setProblems(({ clientSecret: _drop, ...rest }) => rest);
            }}
          />
          <FieldNotes
            id={`${id}-clientSecret`}
            problem={problems.clientSecret}
            help="Kept in the secret store with Google’s tokens, never shown again."
          />
        </div>
      </fieldset>

      <ErrorBanner error={signIn.startError} title="Could not start the sign-in" />
      <ErrorBanner error={state.phase === 'failed' ? state.error : null} title="Could not connect Google Drive" />
      <ErrorBanner error={signIn.cancelError} title="Could not cancel the sign-in" />

      {state.phase === 'waiting' ? (
        <>
          <DriveWaiting url={state.url} />
          <div className="actions">
            <Button onClick={() => void signIn.cancel()}>Cancel</Button>
          </div>
        </>
      ) : (
        <div className="actions">
          <Button type="submit" variant="primary" busy={signIn.starting}>
            Sign in with Google
          </Button>
          {onCancel ? <Button onClick={onCancel}>Cancel</Button> : null}
        </div>
      )}
    </form>
  );
}
