/** Step 7: how it went: files verified by SHA-256, what was left alone, every failure with its reason, and where the files are. */
import { useCallback, useState } from 'react';
import type { RestoreReportInfo } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { RunStatusPill } from '../components/StatusPill.js';
import { useAction } from '../components/useAction.js';
import { useLoaded } from '../components/useLoaded.js';
import { useAppInfo } from '../store/appInfo.js';
import { formatBytes, formatCount, plural, sentence } from '../format.js';
import { useWizard } from './wizard-store.js';

export function StepReport() {
  const runId = useWizard((s) => s.runId);
  const load = useCallback(() => api().call('restore.report', { runId: runId ?? -1 }), [runId]);
  const { value: r, error, reload } = useLoaded(load);
  return (
    <div className="wizard-step">
      <ErrorBanner error={error} title="Could not load the report" onRetry={() => void reload()} />
      {r ? <ReportBody r={r} /> : null}
    </div>
  );
}

function ReportBody({ r }: { r: RestoreReportInfo }) {
  return (
    <>
      <p className="report-head">
        <RunStatusPill status={r.status} />
        <strong>{headline(r)}</strong>
      </p>
      {r.stopped ? (
        <div className={`banner ${r.status === 'cancelled' ? 'banner-warn' : 'banner-err'}`} role="alert">
          <p>{sentence(r.stopped)}</p>
        </div>
      ) : null}
      <dl className="stats report-stats">
        <div>
          <dt>Verified</dt>
          <dd>{plural(r.verified, 'file')} matched the snapshot’s SHA-256</dd>
        </div>
        <div>
          <dt>Written</dt>
          <dd>
            {plural(r.files, 'file')}, {formatBytes(r.bytes)}
            {r.renamed ? ` (${formatCount(r.renamed)} beside an existing file)` : ''}
          </dd>
        </div>
        <div>
          <dt>Already there</dt>
          <dd>{plural(r.identical, 'file')} with the same content</dd>
        </div>
        <div>
          <dt>Skipped</dt>
          <dd>{plural(r.skipped, 'file')} left as they were</dd>
        </div>
      </dl>
      <TargetPath label={r.target.label} folder={r.target.kind === 'folder'} />
      {r.failures.length ? <Failures r={r} /> : null}
    </>
  );
}

function headline(r: RestoreReportInfo): string {
  if (r.status === 'ok') return `Restored ${plural(r.files + r.identical, 'file')}; every one checked.`;
  if (r.status === 'cancelled') return 'Cancelled: what was restored so far is in place and checked.';
  if (r.status === 'running') return 'Still running…';
  return r.failed ? `${plural(r.failed, 'file')} could not be restored.` : 'The restore stopped early.';
}

/** The target with a Copy button, and in the desktop app an Open folder button for a folder target. */
function TargetPath({ label, folder }: { label: string; folder: boolean }) {
  const [copied, setCopied] = useState(false);
  const desktop = useAppInfo((s) => s.info?.host === 'desktop');
  const open = useAction(() => api().call('app.openFolder', { path: label }));
  return (
    <div className="report-target">
      <span>Restored into</span>
      <code className="mono report-path">{label}</code>
      {desktop && folder ? (
        <Button size="sm" onClick={() => void open.run()} busy={open.busy}>
          Open folder
        </Button>
      ) : null}
      <Button
        size="sm"
        onClick={() =>
          void navigator.clipboard?.writeText(label).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        Copy path
      </Button>
      <span role="status" className="saved-note">
        {copied ? 'Copied' : ''}
      </span>
      <ErrorBanner error={open.error} title="Could not open the folder" />
    </div>
  );
}

function Failures({ r }: { r: RestoreReportInfo }) {
  return (
    <div className="prune-table" tabIndex={0} role="region" aria-label="Files that could not be restored">
      <table className="results">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {r.failures.map((f) => (
            <tr key={f.path}>
              <td className="dry-path">
                <bdi>{f.path}</bdi>
              </td>
              <td className="err-text">{sentence(f.error)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.failed > r.failures.length ? (
        <p className="muted dry-more">
          The first {formatCount(r.failures.length)} of {formatCount(r.failed)}; Activity has the log.
        </p>
      ) : null}
    </div>
  );
}
