// @vitest-environment jsdom
/** @jsxRuntime automatic */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import { useActiveRun } from '../../../renderer/src/store/activeRun.js';
import { useRoute } from '../../../renderer/src/store/route.js';
import type { Dashboard } from '../../../shared/api/entities.js';
import { activeRun, appInfo, installFakeApi, progress, settings, summary } from './fake-api.js';

afterEach(cleanup);
beforeEach(() => {
  useActiveRun.setState({ active: null, finishedRunId: null });
  useRoute.setState({ screen: 'dashboard' });
});

const HOUR = 3600_000;

function dashboard(): Dashboard {
  return {
    sources: 2,
    active: null,
    schedulesPaused: false,
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
