// @vitest-environment jsdom
/** @jsxRuntime automatic */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import { useActiveRun } from '../../../renderer/src/store/activeRun.js';
import { useRoute } from '../../../renderer/src/store/route.js';
import { useSettings } from '../../../renderer/src/store/settings.js';
import type { AlertInfo, CopyCoverage, Dashboard, Settings } from '../../../shared/api/entities.js';
import { activeRun, appInfo, installFakeApi, progress, settings, summary } from './fake-api.js';

afterEach(cleanup);
beforeEach(() => {
  useActiveRun.setState({ active: null, finishedRunId: null });
  useRoute.setState({ screen: 'dashboard' });
  useSettings.setState({ settings: null, error: null });
});

const HOUR = 3600_000;

function dashboard(): Dashboard {
  return {
    sources: 2,
    active: null,
    schedulesPaused: false,
    timeZone: 'UTC',
    alerts: [],
    destinations: [
      summary({
        id: 'd1',
        name: 'usb-disk',
        lastSuccessAt: Date.now() - 3 * HOUR,
        lastStatus: 'ok',
        recentRuns: 30,
        recentSucceeded: 29,
        filesStored: 1234,
        bytesStored: 5_600_000_000,
        filesFailed: 2,
        filesPending: 5,
      }),
      summary({
        id: 'd2',
        name: 'b2-offsite',
        provider: 'b2',
        label: 'ada-backups/laptop',
        lastStatus: 'failed',
        lastError: 'the bucket ada-backups does not exist',
        lastRunAt: Date.now() - HOUR,
        recentRuns: 1,
        recentSucceeded: 0,
      }),
      summary({ id: 'd3', name: 'nas', label: '/mnt/nas' }),
    ],
  };
}

function setup(over: Partial<Parameters<typeof installFakeApi>[0]> = {}) {
  return installFakeApi({
    'app.info': () => appInfo(false),
    'settings.get': () => settings,
    'dashboard.get': dashboard,
    'runs.start': () => ({ runId: 7 }),
    'runs.cancel': () => ({ cancelled: true }),
    'coverage.get': () => [],
    ...over,
  });
}

describe('dashboard', () => {
  it('shows one card per destination with its numbers', async () => {
    setup();
    render(<App />);
    const usb = await screen.findByRole('region', { name: 'Destination usb-disk' });
    expect(within(usb).getByText('OK')).toBeTruthy();
    expect(within(usb).getByText('3 hours ago')).toBeTruthy();
    expect(within(usb).getByText('1,234 files · 5.6 GB')).toBeTruthy();
    expect(within(usb).getByText('29 of 30 recent runs succeeded')).toBeTruthy();
    expect(within(usb).getByText('2 failed')).toBeTruthy();
    expect(within(usb).getByText('5 pending')).toBeTruthy();

    const b2 = screen.getByRole('region', { name: 'Destination b2-offsite' });
    expect(within(b2).getByText('Last run failed')).toBeTruthy();
    expect(within(b2).getByText(/the bucket ada-backups does not exist/)).toBeTruthy();
    expect(within(b2).getByText('Backblaze B2', { exact: false })).toBeTruthy();

    const nas = screen.getByRole('region', { name: 'Destination nas' });
    expect(within(nas).getByText('Idle')).toBeTruthy();
    expect(within(nas).getByText('No runs yet')).toBeTruthy();
    expect(within(nas).getByText('Never')).toBeTruthy();
  });

  it('starts a backup for all or for one destination', async () => {
    const fake = setup();
    render(<App />);
    const usb = await screen.findByRole('region', { name: 'Destination usb-disk' });
    fireEvent.click(within(usb).getByRole('button', { name: 'Back up now' }));
    await waitFor(() => expect(fake.callsOf('runs.start')).toEqual([{ destinations: ['usb-disk'] }]));
    const [all] = screen.getAllByRole('button', { name: 'Back up now' });
    await waitFor(() => expect((all as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(all!);
    await waitFor(() => expect(fake.callsOf('runs.start')).toEqual([{ destinations: ['usb-disk'] }, {}]));
  });

  it('renders progress from run.progress events, then reloads on run.finished', async () => {
    const fake = setup();
    render(<App />);
    await screen.findByRole('region', { name: 'Destination usb-disk' });

    fake.emit(
      'run.progress',
      activeRun({
        d1: progress({ phase: 'scan', scanDone: false, filesScanned: 500, filesToSend: 10, bytesToSend: 1000 }),
        d3: progress({
          filesToSend: 340,
          filesSent: 12,
          bytesToSend: 4_500_000_000,
          bytesSent: 1_200_000_000,
          bytesPerSecond: 3_400_000,
          etaSeconds: 120,
        }),
      }),
    );

    const scanning = screen.getByRole('progressbar', { name: 'Backup progress to usb-disk' });
    expect(scanning.getAttribute('aria-valuenow')).toBeNull();
    const nasBar = screen.getByRole('progressbar', { name: 'Backup progress to nas' });
    expect(nasBar.getAttribute('aria-valuenow')).toBe('26');
    const nas = screen.getByRole('region', { name: 'Destination nas' });
    expect(within(nas).getByText('Running')).toBeTruthy();
    expect(within(nas).getByText('12 / 340 files')).toBeTruthy();
    expect(within(nas).getByText('1.2 GB of 4.5 GB')).toBeTruthy();
    expect(within(nas).getByText('3.4 MB/s')).toBeTruthy();
    expect(within(nas).getByText('about 2 min left')).toBeTruthy();
    // Not taking part: no bar.
    const b2 = screen.getByRole('region', { name: 'Destination b2-offsite' });
    expect(within(b2).queryByRole('progressbar')).toBeNull();
    expect((within(b2).getByRole('button', { name: 'Back up now' }) as HTMLButtonElement).disabled).toBe(true);

    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(fake.callsOf('runs.cancel')).toHaveLength(1));

    const before = fake.callsOf('dashboard.get').length;
    fake.emit('run.finished', { runId: 7, status: 'cancelled', error: null });
    await waitFor(() => expect(fake.callsOf('dashboard.get').length).toBeGreaterThan(before));
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('reloads on changed events and says when the connection is lost', async () => {
    const fake = setup();
    render(<App />);
    await screen.findByRole('region', { name: 'Destination usb-disk' });
    const before = fake.callsOf('dashboard.get').length;
    fake.emit('changed', { topics: ['destinations'] });
    await waitFor(() => expect(fake.callsOf('dashboard.get').length).toBeGreaterThan(before));

    fake.setConnected(false);
    expect(screen.getByText('Reconnecting to Strata…')).toBeTruthy();
    fake.setConnected(true);
    expect(screen.queryByText('Reconnecting to Strata…')).toBeNull();
  });

  it('shows a failed call as its message and hint', async () => {
    const { ApiError } = await import('../../../shared/api/client.js');
    setup({
      'dashboard.get': () => {
        throw new ApiError({ code: 'internal', message: 'the database is locked', hint: 'close the other Strata' });
      },
    });
    render(<App />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The database is locked');
    expect(alert.textContent).toContain('Close the other Strata.');
  });
});

const failing: AlertInfo = {
  id: 1,
  destination: 'b2-offsite',
  kind: 'failures',
  message: '3 backups in a row failed; the last: the bucket ada-backups does not exist',
  openedAt: Date.now() - 2 * HOUR,
  closedAt: null,
};

/** A dashboard with plans, health figures and an open alert, paused or not. */
function planned(paused: boolean, alerts: AlertInfo[] = [failing]): Dashboard {
  const d = dashboard();
  d.schedulesPaused = paused;
  d.alerts = alerts;
  d.destinations[0] = {
    ...d.destinations[0]!,
    scheduleKind: 'daily',
    scheduleSummary: 'Every day at 02:00',
    nextRunAt: paused ? null : Date.now() + HOUR,
    retentionSummary: 'Keeps 7 daily, 4 weekly, 12 monthly',
    averageDurationMs: 125_000,
    growthPerWeek: 1_200_000_000,
  };
  d.destinations[1] = {
    ...d.destinations[1]!,
    consecutiveFailures: 3,
    alerts: alerts.filter((a) => a.destination === 'b2-offsite'),
  };
  return d;
}

const coverage: CopyCoverage[] = [
  { source: 'Documents', folder: '', current: ['usb-disk', 'b2-offsite'], offsite: ['b2-offsite'], behind: [] },
  { source: 'Documents', folder: 'taxes', current: ['usb-disk'], offsite: [], behind: ['b2-offsite'] },
  { source: 'Photos', folder: '', current: [], offsite: [], behind: ['nas'] },
];

describe('dashboard health, plans and copies', () => {
  it('puts open alerts first and badges their cards', async () => {
    setup({ 'dashboard.get': () => planned(false) });
    render(<App />);
    const region = await screen.findByRole('region', { name: 'Alerts' });
    const items = within(region).getAllByRole('listitem');
    expect(items).toHaveLength(1);
    expect(items[0]!.textContent).toContain('b2-offsite');
    expect(items[0]!.textContent).toContain('Backups failing');
    expect(items[0]!.textContent).toContain(
      '3 backups in a row failed; the last: the bucket ada-backups does not exist',
    );
    expect(within(items[0]!).getByText('2 hours ago')).toBeTruthy();
    // The region comes before the cards.
    const first = screen.getByRole('region', { name: 'Destination usb-disk' });
    expect(region.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

    const b2 = screen.getByRole('region', { name: 'Destination b2-offsite' });
    expect(within(b2).getByText('1 alert')).toBeTruthy();
    expect(within(b2).getByText('3 failed in a row')).toBeTruthy();
    expect(within(first).queryByText(/alert/)).toBeNull();
  });

  it('shows each card’s schedule, next run, retention, average run and growth', async () => {
    setup({ 'dashboard.get': () => planned(false, []) });
    render(<App />);
    expect(screen.queryByRole('region', { name: 'Alerts' })).toBeNull();
    const usb = await screen.findByRole('region', { name: 'Destination usb-disk' });
    expect(within(usb).getByText('Every day at 02:00')).toBeTruthy();
    expect(usb.textContent).toMatch(/Every day at 02:00Next: (today|tomorrow) \d\d:\d\d/);
    expect(within(usb).getByText('Keeps 7 daily, 4 weekly, 12 monthly')).toBeTruthy();
    expect(within(usb).getByText('2 min 5 s')).toBeTruthy();
    expect(within(usb).getByText('+1.2 GB a week')).toBeTruthy();
    const nas = screen.getByRole('region', { name: 'Destination nas' });
    expect(within(nas).getByText('Manual only (Back up now)')).toBeTruthy();
    expect(nas.textContent).not.toContain('Next:');
    expect(within(nas).getByText('Not enough history yet')).toBeTruthy();
  });

  it('pauses and resumes the schedules', async () => {
    let current: Settings = { ...settings };
    const fake = setup({
      'dashboard.get': () => planned(current.schedulesPaused, []),
      'settings.get': () => current,
      'settings.set': (patch) => (current = { ...current, ...patch }),
    });
    render(<App />);
    const usb = await screen.findByRole('region', { name: 'Destination usb-disk' });
    fireEvent.click(screen.getByRole('button', { name: 'Pause schedules' }));
    await screen.findByRole('button', { name: 'Resume schedules' });
    expect(fake.callsOf('settings.set')).toEqual([{ schedulesPaused: true }]);
    expect(screen.getByText(/no backup starts on its own/)).toBeTruthy();
    expect(within(usb).getByText('Paused')).toBeTruthy();
    // Manual-only destinations have nothing to pause.
    expect(within(screen.getByRole('region', { name: 'Destination nas' })).queryByText('Paused')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Resume schedules' }));
    await screen.findByRole('button', { name: 'Pause schedules' });
    expect(fake.callsOf('settings.set')[1]).toEqual({ schedulesPaused: false });
    expect(within(usb).queryByText('Paused')).toBeNull();
  });

  it('shows the 3-2-1 copies per folder, saying in words which have fewer than two', async () => {
    setup({ 'dashboard.get': () => planned(false, []), 'coverage.get': () => coverage });
    render(<App />);
    const copies = await screen.findByRole('region', { name: 'Copies' });
    const rows = within(copies).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual([
      'Documents',
      'Documents/taxes',
      'Photos',
    ]);
    expect(within(rows[0]!).getByText('Meets 3-2-1')).toBeTruthy();
    expect(rows[0]!.className).toBe('');
    expect(within(rows[1]!).getByText('Only one current copy')).toBeTruthy();
    expect(within(rows[1]!).getByText('b2-offsite')).toBeTruthy();
    expect(rows[1]!.className).toBe('coverage-short');
    expect(within(rows[2]!).getByText('No current copy')).toBeTruthy();
    expect(within(rows[2]!).getByText('nas')).toBeTruthy();
  });

  it('reloads when alerts open or close', async () => {
    let alerts: AlertInfo[] = [];
    const fake = setup({ 'dashboard.get': () => planned(false, alerts) });
    render(<App />);
    await screen.findByRole('region', { name: 'Destination usb-disk' });
    expect(screen.queryByRole('region', { name: 'Alerts' })).toBeNull();
    alerts = [failing];
    fake.emit('alerts.changed', { opened: [failing], closed: [] });
    expect(await screen.findByRole('region', { name: 'Alerts' })).toBeTruthy();
    alerts = [];
    fake.emit('changed', { topics: ['alerts', 'status'] });
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Alerts' })).toBeNull());
  });

  it('shows a prune as such while it runs: no transfer figures, no cancel', async () => {
    const pruning = activeRun({}, { trigger: 'prune', destinations: ['d1'] });
    setup({ 'dashboard.get': () => ({ ...planned(false, []), active: pruning }) });
    render(<App />);
    const banner = await screen.findByRole('region', { name: 'Prune in progress' });
    expect(within(banner).getByText(/Removing old snapshots…/)).toBeTruthy();
    expect(within(banner).queryByRole('button', { name: 'Cancel' })).toBeNull();
    const usb = screen.getByRole('region', { name: 'Destination usb-disk' });
    expect(within(usb).getByText('Pruning')).toBeTruthy();
    expect(within(usb).getByRole('progressbar', { name: 'Prune progress of usb-disk' })).toBeTruthy();
    expect(screen.queryByText(/files$/)).toBeNull();
  });
});
