// @vitest-environment jsdom
/** @jsxRuntime automatic */
/**
 * The dashboard card's verification: the last check in words, the schedule, "Verify…" (Quick or
 * Deep with a share) starting verify.start, and the progress of a verify run on the card and in
 * the run banner, whose Cancel stops it.
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import { useActiveRun } from '../../../renderer/src/store/activeRun.js';
import { useRoute } from '../../../renderer/src/store/route.js';
import { useSettings } from '../../../renderer/src/store/settings.js';
import { ApiError } from '../../../shared/api/client.js';
import type { ActiveRun, Dashboard } from '../../../shared/api/entities.js';
import { activeRun, appInfo, installFakeApi, progress, settings, summary } from './fake-api.js';

afterEach(cleanup);
beforeEach(() => {
  useActiveRun.setState({ active: null, finishedRunId: null, lastFinished: null });
  useRoute.setState({ screen: 'dashboard' });
  useSettings.setState({ settings: null, error: null });
});

const HOUR = 3600_000;

function dashboard(active: ActiveRun | null = null): Dashboard {
  return {
    sources: 1,
    active,
    schedulesPaused: false,
    timeZone: 'UTC',
    alerts: [],
    destinations: [
      summary({
        id: 'd1',
        name: 'usb-disk',
        lastVerification: {
          reportId: 4,
          at: Date.now() - 2 * HOUR,
          mode: 'quick',
          status: 'ok',
          problems: 0,
          error: null,
        },
        verifySummary: 'weekly, quick, after a scheduled backup',
      }),
      summary({
        id: 'd2',
        name: 'b2-offsite',
        provider: 'b2',
        label: 'ada-backups/laptop',
        lastVerification: {
          reportId: 5,
          at: Date.now() - HOUR,
          mode: 'deep',
          status: 'failed',
          problems: 3,
          error: null,
        },
        verifySummary: 'not verified on a schedule',
      }),
      summary({ id: 'd3', name: 'nas', label: '/mnt/nas', lastVerification: null }),
      summary({
        id: 'd4',
        name: 'r2',
        provider: 'r2',
        label: 'bucket-r2',
        lastVerification: {
          reportId: 6,
          at: Date.now() - 3 * HOUR,
          mode: 'quick',
          status: 'error',
          problems: 0,
          error: 'the bucket bucket-r2 does not exist',
        },
      }),
    ],
  };
}

function setup(over: Parameters<typeof installFakeApi>[0] = {}) {
  return installFakeApi({
    'app.info': () => appInfo(false),
    'settings.get': () => settings,
    'dashboard.get': () => dashboard(),
    'coverage.get': () => [],
    'verify.start': () => ({ runId: 9 }),
    'runs.cancel': () => ({ cancelled: true }),
    ...over,
  });
}

/** The text of a card's Verification line. */
function verificationLine(card: HTMLElement): string {
  const dt = within(card).getByText('Verification', { selector: 'dt' });
  return dt.nextElementSibling!.textContent!;
}

describe('dashboard card: verification', () => {
  it('says how each destination’s last check ended, and its schedule', async () => {
    setup();
    render(<App />);
    const usb = await screen.findByRole('region', { name: 'Destination usb-disk' });
    expect(verificationLine(usb)).toBe('Quick check 2 hours ago: intactWeekly, quick, after a scheduled backup');
    expect(within(usb).getByRole('button', { name: 'View report' })).toBeTruthy();

    const b2 = screen.getByRole('region', { name: 'Destination b2-offsite' });
    expect(verificationLine(b2)).toBe('Deep check 1 hour ago: 3 versions missing or damagedNot verified on a schedule');
    expect(within(b2).getByText(/3 versions missing or damaged/).className).toBe('err-text');

    const nas = screen.getByRole('region', { name: 'Destination nas' });
    expect(verificationLine(nas)).toBe('Never verified');
    expect(within(nas).queryByRole('button', { name: 'View report' })).toBeNull();

    const r2 = screen.getByRole('region', { name: 'Destination r2' });
    expect(verificationLine(r2)).toBe('Quick check 3 hours ago: could not run (the bucket bucket-r2 does not exist)');
  });

  it('starts a quick check from Verify… and closes the dialog', async () => {
    const fake = setup();
    render(<App />);
    const nas = await screen.findByRole('region', { name: 'Destination nas' });
    fireEvent.click(within(nas).getByRole('button', { name: 'Verify…' }));
    const dialog = screen.getByRole('dialog', { name: 'Verify nas' });
    expect((within(dialog).getByRole('radio', { name: 'Quick' }) as HTMLInputElement).checked).toBe(true);
    // Quick reads nothing: no share to choose.
    expect(within(dialog).queryByLabelText('Share to read')).toBeNull();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.callsOf('verify.start')).toEqual([{ destination: 'nas', deep: false, samplePercent: 100 }]);
  });

  it('starts a deep check of a share, refusing a share outside 1-100', async () => {
    const fake = setup();
    render(<App />);
    const usb = await screen.findByRole('region', { name: 'Destination usb-disk' });
    fireEvent.click(within(usb).getByRole('button', { name: 'Verify…' }));
    const dialog = screen.getByRole('dialog', { name: 'Verify usb-disk' });
    fireEvent.click(within(dialog).getByRole('radio', { name: 'Deep' }));
    const share = within(dialog).getByLabelText('Share to read') as HTMLInputElement;
    expect(share.value).toBe('100');
    const start = within(dialog).getByRole('button', { name: 'Start' }) as HTMLButtonElement;

    fireEvent.change(share, { target: { value: '0' } });
    expect(within(dialog).getByText('Give a whole percent from 1 to 100')).toBeTruthy();
    expect(share.getAttribute('aria-invalid')).toBe('true');
    expect(start.disabled).toBe(true);

    fireEvent.change(share, { target: { value: '25' } });
    expect(start.disabled).toBe(false);
    fireEvent.click(start);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.callsOf('verify.start')).toEqual([{ destination: 'usb-disk', deep: true, samplePercent: 25 }]);
  });

  it('keeps the dialog open with the host’s refusal', async () => {
    setup({
      'verify.start': () => {
        throw new ApiError({ code: 'busy', message: 'a backup is running', hint: 'verify once it has finished' });
      },
    });
    render(<App />);
    const nas = await screen.findByRole('region', { name: 'Destination nas' });
    fireEvent.click(within(nas).getByRole('button', { name: 'Verify…' }));
    const dialog = screen.getByRole('dialog', { name: 'Verify nas' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Start' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('Could not start the verification: A backup is running');
    expect(alert.textContent).toContain('Verify once it has finished.');
  });

  it('shows a verify run’s progress on its card and in the banner, whose Cancel stops it', async () => {
    const fake = setup();
    render(<App />);
    await screen.findByRole('region', { name: 'Destination usb-disk' });
    const run = (total: Parameters<typeof progress>[0]) =>
      activeRun({}, { runId: 9, trigger: 'verify', destinations: ['d1'], total: progress(total) });

    // Before the first version is checked the total is not known: no "0 of …".
    fake.emit('run.progress', run({ filesScanned: 0, filesToSend: 2 }));
    const bar = screen.getByRole('progressbar', { name: 'Verify progress of usb-disk' });
    expect(bar.getAttribute('aria-valuenow')).toBeNull();
    expect(bar.getAttribute('aria-valuetext')).toBe('Verifying: reading the snapshots…');

    fake.emit('run.progress', run({ filesScanned: 12, filesToSend: 340, bytesSent: 1_200_000 }));
    const usb = screen.getByRole('region', { name: 'Destination usb-disk' });
    expect(within(usb).getByText('Verifying')).toBeTruthy();
    const cardBar = within(usb).getByRole('progressbar', { name: 'Verify progress of usb-disk' });
    expect(cardBar.getAttribute('aria-valuenow')).toBe('3');
    expect(within(usb).getByText('Verifying: 12 of 340 stored versions checked')).toBeTruthy();
    expect(within(usb).getByText('1.2 MB read')).toBeTruthy();

    const banner = screen.getByRole('region', { name: 'Verification in progress' });
    expect(within(banner).getByText(/Verifying usb-disk…/)).toBeTruthy();
    expect(screen.queryByRole('region', { name: 'Backup in progress' })).toBeNull();
    // Nothing else starts meanwhile; other cards show no bar.
    const nas = screen.getByRole('region', { name: 'Destination nas' });
    expect((within(nas).getByRole('button', { name: 'Verify…' }) as HTMLButtonElement).disabled).toBe(true);
    expect(within(nas).queryByRole('progressbar')).toBeNull();

    fireEvent.click(within(banner).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(fake.callsOf('runs.cancel')).toHaveLength(1));
    fake.emit('run.finished', { runId: 9, status: 'cancelled', error: 'cancelled' });
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Verification in progress' })).toBeNull());
  });
});
