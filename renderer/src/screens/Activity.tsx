/** Past and running backups from `runs.list`, newest first, with each run's log (`runs.log`). */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LogLine, RunInfo } from '../../../shared/api/entities.js';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { RunStatusPill } from '../components/StatusPill.js';
import { useAction } from '../components/useAction.js';
import { formatBytes, formatCount, formatDateTime, formatDuration, formatRelative, plural } from '../format.js';
import { useRevision } from '../store/changes.js';
import { ScreenHeader } from './ScreenHeader.js';

const PAGE = 25;
const LOG_PAGE = 200;

const TRIGGERS: Record<string, string> = {
  manual: 'Back up now',
  schedule: 'Scheduled',
  cli: 'Command line',
  catchup: 'Catch-up after sleep',
  prune: 'Prune (retention)',
  restore: 'Restore',
  verify: 'Verification',
};

function triggerWords(trigger: string): string {
  return TRIGGERS[trigger] ?? trigger.charAt(0).toUpperCase() + trigger.slice(1);
}

export function Activity() {
  const [runs, setRuns] = useState<RunInfo[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [open, setOpen] = useState<number | null>(null);
  const rev = useRevision(['runs'], true);

  // Reloads the newest runs, as many as are shown, keeping what was paged in.
  const reload = useCallback(async (count: number) => {
    try {
      const limit = Math.min(500, Math.max(PAGE, count));
      const list = await api().call('runs.list', { limit });
      setRuns(list);
      setMore(list.length === limit);
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, []);

  // How many runs are shown, read when reloading (paging goes through "Load older").
  const shown = useRef(0);
  useEffect(() => {
    shown.current = runs?.length ?? 0;
  }, [runs]);
  useEffect(() => {
    void reload(shown.current);
  }, [reload, rev]);

  const older = useAction(async () => {
    const last = runs?.[runs.length - 1];
    if (!last) return;
    const page = await api().call('runs.list', { limit: PAGE, before: last.id });
    setRuns((r) => [...(r ?? []), ...page.filter((p) => !r?.some((x) => x.id === p.id))]);
    setMore(page.length === PAGE);
  });

  return (
    <>
      <ScreenHeader title="Activity" subtitle="Every backup, newest first. Open a run to read its log." />
      <ErrorBanner error={error} title="Could not load the activity" onRetry={() => void reload(shown.current)} />
      {runs && runs.length === 0 ? (
        <div className="empty">
          <p>No backups have run yet.</p>
          <p className="muted">Press “Back up now” on the dashboard, or wait for the schedule.</p>
        </div>
      ) : null}
      {!runs && !error ? <p className="muted">Loading…</p> : null}
      {runs && runs.length > 0 ? (
        <ol className="runs" aria-label="Runs">
          {runs.map((run) => (
            <RunItem
              key={run.id}
              run={run}
              open={open === run.id}
              onToggle={() => setOpen(open === run.id ? null : run.id)}
            />
          ))}
        </ol>
      ) : null}
      <ErrorBanner error={older.error} title="Could not load older runs" onDismiss={older.clearError} />
      {more ? (
        <div className="actions">
          <Button onClick={() => void older.run()} busy={older.busy}>
            Load older
          </Button>
        </div>
      ) : null}
    </>
  );
}

function RunItem({ run, open, onToggle }: { run: RunInfo; open: boolean; onToggle: () => void }) {
  const uploaded = run.results.reduce((n, r) => n + r.bytesUploaded, 0);
  const files = run.results.reduce((n, r) => n + r.filesUploaded, 0);
  const failed = run.results.reduce((n, r) => n + r.filesFailed, 0);
  const duration = run.finishedAt !== null ? (run.finishedAt - run.startedAt) / 1000 : undefined;
  const logId = `run-${run.id}-log`;
  return (
    <li className="run" aria-label={`Run ${run.id}`}>
      <div className="run-head">
        <RunStatusPill status={run.status} />
        <span className="run-trigger">{triggerWords(run.trigger)}</span>
        <time
          className="run-time num"
          dateTime={new Date(run.startedAt).toISOString()}
          title={formatRelative(run.startedAt)}
        >
          {formatDateTime(run.startedAt)}
        </time>
        <span className="run-duration num">
          {duration !== undefined
            ? formatDuration(duration)
            : `running for ${formatDuration((Date.now() - run.startedAt) / 1000)}`}
        </span>
        {run.trigger === 'prune' ? null : (
          <span className="run-bytes num">
            {formatBytes(uploaded)} in {plural(files, 'file')}
          </span>
        )}
        {failed > 0 ? <span className="err-text num">{plural(failed, 'file')} failed</span> : null}
        <Button size="sm" className="run-toggle" aria-expanded={open} aria-controls={logId} onClick={onToggle}>
          {open ? 'Hide log' : 'Show log'}
        </Button>
      </div>
      {run.error ? <p className="run-error">{run.error}</p> : null}
      {run.results.length > 0 ? (
        <table className="results">
          <caption className="visually-hidden">Outcome per destination of run {run.id}</caption>
          <thead>
            <tr>
              <th scope="col">Destination</th>
              <th scope="col">Source</th>
              <th scope="col">Outcome</th>
              <th scope="col" className="num">
                Sent
              </th>
              <th scope="col" className="num">
                Deleted
              </th>
              <th scope="col" className="num">
                Failed
              </th>
            </tr>
          </thead>
          <tbody>
            {run.results.map((r) => (
              <tr key={`${r.sourceId}-${r.destinationId}`}>
                <td>{r.destination}</td>
                <td>{r.source}</td>
                <td>
                  <RunStatusPill status={r.status} />
                  {r.error ? <span className="result-error">{r.error}</span> : null}
                </td>
                <td className="num nowrap">
                  {plural(r.filesUploaded, 'file')} · {formatBytes(r.bytesUploaded)}
                </td>
                <td className="num">{formatCount(r.filesDeleted)}</td>
                <td className={`num${r.filesFailed > 0 ? ' err-text' : ''}`}>{formatCount(r.filesFailed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {open ? <RunLog runId={run.id} id={logId} running={run.status === 'running'} /> : null}
    </li>
  );
}

function RunLog({ runId, id, running }: { runId: number; id: string; running: boolean }) {
  const [level, setLevel] = useState<'all' | 'problems'>('all');
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<{ total: number; lines: LogLine[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const rev = useRevision(['runs'], true);

  useEffect(() => {
    let stale = false;
    api()
      .call('runs.log', { runId, level, offset, limit: LOG_PAGE })
      .then(
        (p) => {
          if (stale) return;
          setPage(p);
          setError(null);
        },
        (err: unknown) => {
          if (!stale) setError(err);
        },
      );
    return () => {
      stale = true;
    };
  }, [runId, level, offset, rev, running]);

  const total = page?.total ?? 0;
  return (
    <div id={id} className="run-log">
      <div className="log-bar">
        <h3>Log</h3>
        <fieldset className="segmented">
          <legend className="visually-hidden">Show</legend>
          {(['all', 'problems'] as const).map((l) => (
            <label key={l} className={level === l ? 'seg seg-on' : 'seg'}>
              <input
                type="radio"
                name={`${id}-level`}
                value={l}
                checked={level === l}
                onChange={() => {
                  setLevel(l);
                  setOffset(0);
                }}
              />
              {l === 'all' ? 'All' : 'Problems'}
            </label>
          ))}
        </fieldset>
        <span className="muted num log-count">
          {page
            ? total === 0
              ? 'No lines'
              : `Lines ${formatCount(offset + 1)}–${formatCount(Math.min(offset + LOG_PAGE, total))} of ${formatCount(total)}`
            : 'Loading…'}
        </span>
      </div>
      <ErrorBanner error={error} title="Could not load the log" />
      {page && page.lines.length === 0 ? (
        <p className="muted">{level === 'problems' ? 'No problems in this run.' : 'Nothing was logged.'}</p>
      ) : null}
      {page && page.lines.length > 0 ? (
        <ul className="log-lines" aria-label={`Log of run ${runId}`}>
          {page.lines.map((line, i) => (
            <li key={offset + i} className={`log-line log-${line.level}`}>
              <time className="log-time num" dateTime={new Date(line.time).toISOString()}>
                {new Date(line.time).toLocaleTimeString()}
              </time>
              <span className="log-level">
                {line.level === 'info' ? 'Info' : line.level === 'warn' ? 'Warning' : 'Error'}
              </span>
              <span className="log-body">
                {line.destination || line.source ? (
                  <span className="log-where">{[line.source, line.destination].filter(Boolean).join(' → ')}</span>
                ) : null}
                {line.path ? <span className="log-path mono">{line.path}</span> : null}
                <span className="log-message">{line.message}</span>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {total > LOG_PAGE ? (
        <div className="actions">
          <Button size="sm" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - LOG_PAGE))}>
            Previous
          </Button>
          <Button size="sm" disabled={offset + LOG_PAGE >= total} onClick={() => setOffset(offset + LOG_PAGE)}>
            Next
          </Button>
        </div>
      ) : null}
    </div>
  );
}
