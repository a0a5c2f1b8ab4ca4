/**
 * One card per destination from `dashboard.get`: state, last good backup, what is stored, recent
 * success rate, problems, schedule, retention and verification, and live progress while a backup
 * or a verification runs (`run.progress` events). Open alerts come first; the 3-2-1 copies of
 * each folder last. Schedules can be paused here for every destination at once.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type {
  ActiveRun,
  Dashboard as DashboardData,
  DestinationSummary,
  Progress,
} from '../../../shared/api/entities.js';
import { providerLabel } from '../../../shared/providers.js';
import { api } from '../api/client.js';
import { Button } from '../components/Button.js';
import { ErrorBanner } from '../components/ErrorBanner.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { Pill, type Tone } from '../components/StatusPill.js';
import { useAction } from '../components/useAction.js';
import type { DestinationCost } from '../../../shared/api/cost.js';
import '../cost/cost.css';
import { CostTotal } from '../cost/CostTotal.js';
import { DestinationCostBadge } from '../cost/DestinationCostBadge.js';
import { useCostOverview, type CostOverviewState } from '../cost/useCostOverview.js';
import { AlertsRegion } from '../dashboard/AlertsRegion.js';
import { CopiesSection } from '../dashboard/CopiesSection.js';
import {
  formatBytes,
  formatCount,
  formatDateTime,
  formatDuration,
  formatEta,
  formatGrowth,
  formatRate,
  formatRelative,
  formatRunTime,
  percent,
  plural,
} from '../format.js';
import { useActiveRun } from '../store/activeRun.js';
import { useChanges } from '../store/changes.js';
import { useRoute } from '../store/route.js';
import { useSettings } from '../store/settings.js';
import { VerificationStat } from '../verify/VerificationStat.js';
import { VerifyActions } from '../verify/VerifyActions.js';
import { VerifyCardProgress } from '../verify/VerifyCardProgress.js';
import { VerifyRunBanner } from '../verify/VerifyRunBanner.js';
import { ScreenHeader } from './ScreenHeader.js';

/** Loads the dashboard; a reload asked for while one is in flight runs once after it. */
function useDashboard() {
  const [data, setData] = useState<DashboardData | null>(null);
  const [error, setError] = useState<unknown>(null);
  const inFlight = useRef(false);
  const again = useRef(false);
  const load = useCallback(async () => {
    if (inFlight.current) {
      again.current = true;
      return;
    }
    inFlight.current = true;
    try {
      do {
        again.current = false;
        const d = await api().call('dashboard.get', {});
        setData(d);
        setError(null);
        useActiveRun.getState().setActive(d.active);
      } while (again.current);
    } catch (err) {
      setError(err);
    } finally {
      inFlight.current = false;
    }
  }, []);
  return { data, error, load };
}

export function Dashboard() {
  const { data, error, load } = useDashboard();
  const changes = useChanges((s) => s.runs + Object.values(s.rev).reduce((a, b) => a + b, 0));
  const active = useActiveRun((s) => s.active);
  const go = useRoute((s) => s.go);
  const cost = useCostOverview();

  useEffect(() => {
    void load();
  }, [load, changes]);

  // Relative times ("5 minutes ago") move on while the screen is open.
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 30_000);
    return () => clearInterval(timer);
  }, []);

  const start = useAction(async (destinations?: string[]) => {
    await api().call('runs.start', destinations ? { destinations } : {});
    await load();
  });
  const cancel = useAction(() => api().call('runs.cancel', {}));
  const saveSettings = useSettings((s) => s.save);
  const pause = useAction(async (paused: boolean) => {
    await saveSettings({ schedulesPaused: paused });
    await load();
  });

  const destinations = data?.destinations ?? [];
  const running = Boolean(active);
  const paused = data?.schedulesPaused ?? false;

  return (
    <>
      <ScreenHeader
        title="Dashboard"
        subtitle={data ? summaryLine(data) : undefined}
        actions={
          <>
            {data && destinations.length > 0 ? (
              <Button size="lg" busy={pause.busy} onClick={() => void pause.run(!paused)}>
                {paused ? 'Resume schedules' : 'Pause schedules'}
              </Button>
            ) : null}
            <Button
              variant="primary"
              size="lg"
              busy={start.busy}
              disabled={running || destinations.length === 0 || data?.sources === 0}
              onClick={() => void start.run()}
            >
              Back up now
            </Button>
          </>
        }
      />
      <ErrorBanner error={error} title="Could not load the dashboard" onRetry={() => void load()} />
      <ErrorBanner error={start.error} title="Could not start the backup" onDismiss={start.clearError} />
      <ErrorBanner error={cancel.error} title="Could not cancel" onDismiss={cancel.clearError} />
      <ErrorBanner
        error={pause.error}
        title={paused ? 'Could not resume the schedules' : 'Could not pause the schedules'}
        onDismiss={pause.clearError}
      />
      {paused ? (
        <p className="paused-note">
          <strong>Schedules are paused:</strong> no backup starts on its own. Back up now still works.
        </p>
      ) : null}

      <AlertsRegion alerts={data?.alerts ?? []} />

      {active?.trigger === 'verify' ? (
        <VerifyRunBanner
          active={active}
          destination={destinations.find((d) => d.id === active.destinations[0])?.name ?? 'a destination'}
          onCancel={() => void cancel.run()}
          cancelling={cancel.busy || active.cancelling}
        />
      ) : active ? (
        <RunBanner active={active} onCancel={() => void cancel.run()} cancelling={cancel.busy || active.cancelling} />
      ) : null}

      {data && data.sources === 0 ? (
        <div className="empty">
          <p>No folders to back up yet.</p>
          <p className="muted">Add a source folder, then tick what goes to each destination.</p>
          <Button onClick={() => go('sources')}>Go to Sources</Button>
        </div>
      ) : null}

      {data && destinations.length === 0 ? (
        <div className="empty">
          <p>No destinations yet.</p>
          <p className="muted">Add a backup disk or a bucket so Strata has somewhere to send your files.</p>
          <Button onClick={() => go('destinations')}>Go to Destinations</Button>
        </div>
      ) : null}

      {!data && !error ? <p className="muted">Loading…</p> : null}

      <div className="cards">
        {destinations.map((d) => (
          <DestinationCard
            key={d.id}
            summary={d}
            active={active}
            starting={start.busy}
            paused={paused}
            timeZone={data?.timeZone}
            onBackUp={() => void start.run([d.name])}
            cost={cost}
          />
        ))}
      </div>

      {data && destinations.length > 0 ? (
        <CostTotal overview={cost.overview} error={cost.error} onRetry={() => void cost.reload()} />
      ) : null}

      {data && destinations.length > 0 ? <CopiesSection revision={changes} /> : null}
    </>
  );
}

function summaryLine(d: DashboardData): string {
  return `${plural(d.sources, 'source folder')} backed up to ${plural(d.destinations.length, 'destination')}.`;
}

function RunBanner({ active, onCancel, cancelling }: { active: ActiveRun; onCancel: () => void; cancelling: boolean }) {
  const t = active.total;
  if (active.trigger === 'prune') {
    return (
      <section className="run-banner" aria-label="Prune in progress">
        <div className="run-banner-text">
          <p className="run-banner-title">
            Removing old snapshots…
            <span className="muted"> · started {formatRelative(active.startedAt)}</span>
          </p>
          <p className="progress-line">Retention is being applied; it stops only once done.</p>
        </div>
        <ProgressBar label="Prune progress" value={undefined} valueText="Removing old snapshots" />
        <span />
      </section>
    );
  }
  // A restore runs in the same slot and reports the same progress (files and bytes brought back).
  const restore = active.trigger === 'restore';
  return (
    <section className="run-banner" aria-label={restore ? 'Restore in progress' : 'Backup in progress'}>
      <div className="run-banner-text">
        <p className="run-banner-title">
          {cancelling ? 'Stopping at a safe point…' : restore ? 'Restoring files…' : phaseWords(t)}
          <span className="muted"> · started {formatRelative(active.startedAt)}</span>
        </p>
        <ProgressLine p={t} />
      </div>
      <ProgressBar
        label={restore ? 'Restore progress' : 'Backup progress'}
        value={progressValue(t)}
        valueText={valueText(t)}
      />
      <Button onClick={onCancel} disabled={cancelling}>
        Cancel
      </Button>
    </section>
  );
}

function phaseWords(p: Progress): string {
  switch (p.phase) {
    case 'scan':
      return 'Looking for new and changed files…';
    case 'transfer':
      return p.scanDone ? 'Sending files…' : 'Sending files while still looking for changes…';
    case 'commit':
      return 'Writing the snapshot…';
    case 'done':
      return 'Finishing…';
  }
}

function progressValue(p: Progress): number | undefined {
  if (!p.scanDone) return undefined;
  return percent(p.bytesSent, p.bytesToSend);
}

function valueText(p: Progress): string {
  if (!p.scanDone) return `Looking for changes, ${plural(p.filesScanned, 'file')} checked`;
  return `${percent(p.bytesSent, p.bytesToSend)}%: ${formatBytes(p.bytesSent)} of ${formatBytes(p.bytesToSend)}`;
}

/** "12 / 340 files · 1.2 GB of 4.5 GB · 3.4 MB/s · about 2 min left" */
function ProgressLine({ p }: { p: Progress }) {
  return (
    <p className="progress-line num">
      <span className="pl-files">
        {formatCount(p.filesSent)} / {formatCount(p.filesToSend)}
        {p.scanDone ? '' : '+'} files
      </span>
      <span className="pl-bytes">
        {formatBytes(p.bytesSent)} of {formatBytes(p.bytesToSend)}
      </span>
      <span className="pl-rate">{formatRate(p.bytesPerSecond)}</span>
      <span className="pl-eta">{p.scanDone ? formatEta(p.etaSeconds) : 'estimating…'}</span>
      {p.filesFailed > 0 ? <span className="pl-failed err-text">{plural(p.filesFailed, 'file')} failed</span> : null}
    </p>
  );
}

const RUNNING_WORDS: Record<string, string> = { prune: 'Pruning', verify: 'Verifying', restore: 'Restoring' };

function cardState(d: DestinationSummary, running: ActiveRun | undefined): { text: string; tone: Tone } {
  if (running) return { text: RUNNING_WORDS[running.trigger] ?? 'Running', tone: 'run' };
  switch (d.lastStatus) {
    case null:
      return { text: 'Idle', tone: 'idle' };
    case 'ok':
      return { text: 'OK', tone: 'ok' };
    case 'partial':
      return { text: 'Some files failed', tone: 'warn' };
    case 'failed':
    case 'interrupted':
      return { text: 'Last run failed', tone: 'err' };
    case 'cancelled':
      return { text: 'Last run cancelled', tone: 'idle' };
    case 'running':
      return { text: 'Running', tone: 'run' };
  }
}

function DestinationCard({
  summary: d,
  active,
  starting,
  paused,
  timeZone,
  onBackUp,
  cost,
}: {
  summary: DestinationSummary;
  active: ActiveRun | null;
  starting: boolean;
  paused: boolean;
  /** The host's zone: the schedule's times are its wall-clock times. */
  timeZone: string | undefined;
  onBackUp: () => void;
  cost: CostOverviewState;
}) {
  const runningHere = Boolean(active?.destinations.includes(d.id));
  const progress = runningHere ? active?.perDestination[d.id] : undefined;
  const state = cardState(d, runningHere ? active! : undefined);
  return (
    <section className="card" aria-label={`Destination ${d.name}`}>
      <header className="card-header">
        <div className="card-title">
          <h2>{d.name}</h2>
          <p className="card-sub">
            {providerLabel(d.provider)} · <span className="mono">{d.label}</span>
          </p>
        </div>
        <div className="card-pills">
          {d.alerts.length > 0 ? <Pill tone="err">{plural(d.alerts.length, 'alert')}</Pill> : null}
          <Pill tone={state.tone}>{state.text}</Pill>
        </div>
      </header>

      {(d.lastStatus === 'failed' || d.lastStatus === 'interrupted') && d.lastError && !runningHere ? (
        <p className="card-error">Last run failed: {d.lastError}</p>
      ) : null}

      <dl className="stats">
        <div>
          <dt>Last successful backup</dt>
          <dd className="num">
            {d.lastSuccessAt ? (
              <time dateTime={new Date(d.lastSuccessAt).toISOString()} title={formatDateTime(d.lastSuccessAt)}>
                {formatRelative(d.lastSuccessAt)}
              </time>
            ) : (
              'Never'
            )}
          </dd>
        </div>
        <div>
          <dt>Stored</dt>
          <dd className="num">
            {plural(d.filesStored, 'file')} · {formatBytes(d.bytesStored)}
          </dd>
        </div>
        <div>
          <dt>Recent runs</dt>
          <dd className="num">
            {d.recentRuns === 0
              ? 'No runs yet'
              : `${formatCount(d.recentSucceeded)} of ${plural(d.recentRuns, 'recent run')} succeeded`}
            {d.consecutiveFailures > 1 ? (
              <span className="err-text stat-extra">{formatCount(d.consecutiveFailures)} failed in a row</span>
            ) : null}
          </dd>
        </div>
        <div>
          <dt>Problems</dt>
          <dd className="num">
            <span className={d.filesFailed > 0 ? 'err-text' : undefined}>{formatCount(d.filesFailed)} failed</span>
            {' · '}
            <span className={d.filesPending > 0 ? 'warn-text' : undefined}>{formatCount(d.filesPending)} pending</span>
          </dd>
        </div>
        <div>
          <dt>Average run</dt>
          <dd className="num">{averageRun(d.averageDurationMs)}</dd>
        </div>
        <div>
          <dt>Growth</dt>
          <dd className="num">{d.growthPerWeek === null ? 'Not enough history yet' : formatGrowth(d.growthPerWeek)}</dd>
        </div>
        <div className="stat-wide">
          <dt>Estimated cost</dt>
          <dd>
            <CardCost name={d.name} cost={cost} />
          </dd>
        </div>
        <div className="stat-wide">
          <dt>Schedule</dt>
          <dd>
            {d.scheduleSummary}
            <NextRun nextRunAt={d.nextRunAt} paused={paused && d.scheduleKind !== 'manual'} timeZone={timeZone} />
          </dd>
        </div>
        <div className="stat-wide">
          <dt>Retention</dt>
          <dd>{d.retentionSummary}</dd>
        </div>
        <VerificationStat summary={d} />
      </dl>

      {runningHere ? (
        <div className="card-progress">
          {active?.trigger === 'verify' ? (
            <VerifyCardProgress destination={d.name} progress={active.total} />
          ) : active?.trigger === 'prune' ? (
            <>
              <ProgressBar label={`Prune progress of ${d.name}`} value={undefined} valueText="Removing old snapshots" />
              <p className="progress-line muted">Removing old snapshots…</p>
            </>
          ) : progress ? (
            <>
              <ProgressBar
                label={`Backup progress to ${d.name}`}
                value={progressValue(progress)}
                valueText={valueText(progress)}
              />
              <ProgressLine p={progress} />
            </>
          ) : (
            <>
              <ProgressBar label={`Backup progress to ${d.name}`} value={undefined} valueText="Starting" />
              <p className="progress-line muted">Starting…</p>
            </>
          )}
        </div>
      ) : null}

      <div className="card-actions">
        <VerifyActions summary={d} disabled={Boolean(active) || starting} />
        <Button onClick={onBackUp} disabled={Boolean(active) || starting}>
          Back up now
        </Button>
      </div>
    </section>
  );
}

/** The card's monthly estimate, once `cost.get` has answered. */
function CardCost({ name, cost }: { name: string; cost: CostOverviewState }) {
  const mine: DestinationCost | undefined = cost.overview?.destinations.find((c) => c.destination === name);
  if (!cost.overview) return <span className="muted">{cost.error ? 'Not available' : 'Estimating…'}</span>;
  if (!mine) return <span className="muted">Not available</span>;
  return (
    <DestinationCostBadge
      cost={mine}
      tableDate={cost.overview.tableDate}
      counting={cost.counting.has(name)}
      countError={cost.measureErrors[name]}
      onCount={() => void cost.measure(name)}
    />
  );
}

function averageRun(ms: number | null): string {
  if (ms === null) return '–';
  return ms < 1000 ? 'Under 1 s' : formatDuration(ms / 1000);
}

/** "Next: today 02:00", "Paused", or nothing for manual-only (its summary says so). */
function NextRun({
  nextRunAt,
  paused,
  timeZone,
}: {
  nextRunAt: number | null;
  paused: boolean;
  timeZone: string | undefined;
}) {
  if (paused) return <span className="stat-extra warn-text">Paused</span>;
  if (nextRunAt === null) return null;
  return (
    <span className="stat-extra">
      Next:{' '}
      <time dateTime={new Date(nextRunAt).toISOString()} title={formatDateTime(nextRunAt)}>
        {formatRunTime(nextRunAt, timeZone)}
      </time>
    </span>
  );
}
