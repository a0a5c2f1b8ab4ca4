/**
 * First run: add something to back up (a folder, a bucket or Google Drive), then a place for backups
 * (a local folder or a cloud provider, with "Test connection"), then on to the dashboard. Or, on a
 * new machine, "Restore from an existing backup": connect the backup, rebuild the index, restore.
 */
import { useEffect, useId, useState } from 'react';
import type { SourceInfo } from '../../../shared/api/entities.js';
import { PROVIDERS, type ProviderId } from '../../../shared/providers.js';
import { api } from '../api/client.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { DestinationEditor } from '../destinations/DestinationEditor.js';
import { Button } from '../components/Button.js';
import { RecoverFromBackup } from '../recovery/RecoverFromBackup.js';
import { AddSource } from '../sources/AddSource.js';
import { useAppInfo } from '../store/appInfo.js';
import { SCREENS, useRoute, type Screen } from '../store/route.js';

type Step = 'loading' | 'source' | 'destination' | 'recover';
const CLOUD: readonly ProviderId[] = PROVIDERS.filter((p) => p.kind === 's3').map((p) => p.id);

/**
 * Where a recovery lands: the Restore screen. Until that screen is in SCREENS (store/route.ts),
 * the dashboard stands in for it.
 */
export const AFTER_RECOVERY: Screen = (SCREENS as readonly string[]).includes('restore')
  ? ('restore' as Screen)
  : 'dashboard';

export function Onboarding() {
  const id = useId();
  const [step, setStep] = useState<Step>('loading');
  const [source, setSource] = useState<SourceInfo | null>(null);
  const [where, setWhere] = useState<'local' | 'cloud'>('local');
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const reloadInfo = useAppInfo((s) => s.load);
  const go = useRoute((s) => s.go);

  // Someone may have added a folder already (first run lasts until there is a folder and a destination).
  useEffect(() => {
    let stale = false;
    api()
      .call('sources.list', {})
      .then(
        (list) => {
          if (stale) return;
          setSource(list[0] ?? null);
          setStep(list.length > 0 ? 'destination' : 'source');
        },
        (err: unknown) => {
          if (!stale) setError(err);
        },
      );
    return () => {
      stale = true;
    };
  }, [attempt]);

  const finish = async (screen: Screen = 'dashboard') => {
    go(screen);
    await reloadInfo();
  };

  return (
    <main className="onboarding" id="main">
      <div className="onboarding-card">
        <p className="brand" aria-hidden="true">
          Strata
        </p>
        <ErrorBanner
          error={error}
          title="Could not reach Strata"
          onRetry={() => {
            setError(null);
            setAttempt((n) => n + 1);
          }}
        />
        {step === 'source' ? (
          <>
            <div className="recover-offer">
              <p>
                <strong>Already backed up with Strata?</strong>{' '}
                <span className="muted">Connect your backup disk or bucket and get your files back.</span>
              </p>
              <Button onClick={() => setStep('recover')}>Restore from an existing backup</Button>
            </div>
            <p className="step-count">Step 1 of 2</p>
            <AddSource
              first
              onAdded={(s) => {
                setSource(s);
                setStep('destination');
              }}
            />
          </>
        ) : null}
        {step === 'destination' ? (
          <section aria-labelledby={`${id}-h`} className="panel">
            <p className="step-count">Step 2 of 2</p>
            <h1 id={`${id}-h`}>Choose where backups go</h1>
            {source ? (
              <p className="muted">
                Backups of <strong>{source.name}</strong> ({source.path}) will be sent there.
              </p>
            ) : null}
            <fieldset className="field">
              <legend>Where should backups go?</legend>
              <div className="radio-col">
                <label className="radio">
                  <input
                    type="radio"
                    name={`${id}-where`}
                    checked={where === 'local'}
                    onChange={() => setWhere('local')}
                  />
                  A folder on this computer, a backup disk or a NAS share
                </label>
                <label className="radio">
                  <input
                    type="radio"
                    name={`${id}-where`}
                    checked={where === 'cloud'}
                    onChange={() => setWhere('cloud')}
                  />
                  A cloud provider (AWS S3, Cloudflare R2, Backblaze B2, Wasabi, MinIO or another S3-compatible store)
                </label>
              </div>
            </fieldset>
            <p className="muted">Use “Test connection” to check it works before you save.</p>
            <DestinationEditor
              key={where}
              initialProvider={where === 'local' ? 'local' : 'aws'}
              providers={where === 'local' ? ['local'] : CLOUD}
              onSaved={() => void finish()}
            />
          </section>
        ) : null}
        {step === 'recover' ? (
          <RecoverFromBackup onDone={() => void finish(AFTER_RECOVERY)} onCancel={() => setStep('source')} />
        ) : null}
        {step === 'loading' && !error ? <p className="muted">Loading…</p> : null}
      </div>
    </main>
  );
}
