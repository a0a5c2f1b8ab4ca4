// @vitest-environment jsdom
/** @jsxRuntime automatic */
/**
 * The verification report: its summary, the problems table, repair from each destination that
 * holds what is missing (verify.repair) with its outcome, and "Verify again".
 */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import { useActiveRun } from '../../../renderer/src/store/activeRun.js';
import { useRoute } from '../../../renderer/src/store/route.js';
import { useSettings } from '../../../renderer/src/store/settings.js';
import { VerifyReportDialog } from '../../../renderer/src/verify/VerifyReportDialog.js';
import { ApiError } from '../../../shared/api/client.js';
import type { Dashboard, VerifyProblem, VerifyReport } from '../../../shared/api/entities.js';
import { appInfo, installFakeApi, settings, summary } from './fake-api.js';

afterEach(cleanup);
beforeEach(() => {
  useActiveRun.setState({ active: null, finishedRunId: null, lastFinished: null });
  useRoute.setState({ screen: 'dashboard' });
  useSettings.setState({ settings: null, error: null });
});

const T = Date.now() - 3600_000;

const problems: VerifyProblem[] = [
  {
    path: 'docs/plan.txt',
    snapshotId: 'snap-2',
    kind: 'missing',
    detail: 'files/Documents/docs/plan.txt is not on the destination',
    repairableFrom: ['usb-disk', 'nas'],
  },
  {
    path: 'photos/lake.jpg',
    snapshotId: 'snap-2',
    kind: 'checksum',
    detail: 'files/Documents/photos/lake.jpg reads as SHA-256 0badc0ffee00…, the snapshot says 5e1f00d1e5aa…',
    repairableFrom: ['usb-disk'],
  },
  {
    path: 'notes/old.md',
    snapshotId: 'snap-1',
    kind: 'size',
    detail: 'files/Documents/notes/old.md holds 3 bytes, the snapshot says 12',
    repairableFrom: [],
  },
];

function report(over: Partial<VerifyReport> = {}): VerifyReport {
  return {
    id: 5,
    destination: 'b2-offsite',
    mode: 'deep',
    samplePercent: 10,
    startedAt: T - 60_000,
    finishedAt: T,
    status: 'failed',
    snapshots: 4,
    objects: 1234,
    objectsRead: 124,
    bytesRead: 56_000_000,
    problems,
    error: null,
    ...over,
  };
}

function dashboard(): Dashboard {
  return {
    sources: 1,
    active: null,
    schedulesPaused: false,
    timeZone: 'UTC',
    alerts: [],
    destinations: [
      summary({
        id: 'd2',
        name: 'b2-offsite',
        provider: 'b2',
        label: 'ada-backups/laptop',
        lastVerification: { reportId: 5, at: T, mode: 'deep', status: 'failed', problems: 3, error: null },
      }),
    ],
  };
}

function setup(over: Parameters<typeof installFakeApi>[0] = {}) {
  return installFakeApi({
    'app.info': () => appInfo(false),
    'settings.get': () => settings,
    'dashboard.get': dashboard,
    'coverage.get': () => [],
    // The newest first; the card's report is not the newest any more.
    'verify.reports': () => [report({ id: 7, problems: [], status: 'ok' }), report()],
    'verify.repair': () => ({ repaired: 2, failed: [] }),
    'verify.start': () => ({ runId: 11 }),
    ...over,
  });
}

async function openReport(): Promise<HTMLElement> {
  const card = await screen.findByRole('region', { name: 'Destination b2-offsite' });
  fireEvent.click(within(card).getByRole('button', { name: 'View report' }));
  const dialog = screen.getByRole('dialog', { name: 'Verification of b2-offsite' });
  await within(dialog).findByRole('table');
  return dialog;
}

/** A summary item's value by its term. */
function term(dialog: HTMLElement, name: string): string {
  return within(dialog).getByText(name, { selector: 'dt' }).nextElementSibling!.textContent!;
}

describe('verification report', () => {
  it('shows the report the card links: how it checked, what it covered, and every problem', async () => {
    const fake = setup();
    render(<App />);
    const dialog = await openReport();
    expect(fake.callsOf('verify.reports')).toEqual([{ destination: 'b2-offsite', limit: 20 }]);
    expect(term(dialog, 'Check')).toBe('Deep: 10% downloaded and re-hashed (the next deep check reads the next share)');
    expect(term(dialog, 'When')).toContain('1 hour ago');
    expect(term(dialog, 'Result')).toBe('3 versions missing or damaged');
    expect(term(dialog, 'Snapshots')).toBe('4');
    expect(term(dialog, 'Versions checked')).toBe('1,234124 downloaded and re-hashed');
    expect(term(dialog, 'Bytes read')).toBe('56 MB');

    const table = within(dialog).getByRole('table', { name: 'Problems on b2-offsite' });
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((r) =>
        within(r)
          .getAllByRole('cell')
          .map((c) => c.textContent),
      );
    expect(rows).toEqual([
      ['docs/plan.txt', 'Missing', problems[0]!.detail, 'usb-disk, nas'],
      ['photos/lake.jpg', 'Content changed', problems[1]!.detail, 'usb-disk'],
      ['notes/old.md', 'Wrong size', problems[2]!.detail, 'None'],
    ]);
    // One repair per destination holding some of it, saying how much.
    expect(within(dialog).getByText(/usb-disk holds 2 of the 3/)).toBeTruthy();
    expect(within(dialog).getByText(/nas holds 1 of the 3/)).toBeTruthy();
    // Verify again comes once something was repaired.
    expect(within(dialog).queryByRole('button', { name: 'Verify again' })).toBeNull();
  });

  it('repairs from a destination, says what it did, and verifies again the same way', async () => {
    const fake = setup();
    render(<App />);
    const dialog = await openReport();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Repair from usb-disk' }));
    const status = await within(dialog).findByText(/Repaired 2 versions from usb-disk\./);
    expect(status.closest('[role="status"]')!.textContent).toContain('Verify again to confirm everything is intact.');
    expect(fake.callsOf('verify.repair')).toEqual([{ destination: 'b2-offsite', from: 'usb-disk', reportId: 5 }]);

    fireEvent.click(within(dialog).getByRole('button', { name: 'Verify again' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.callsOf('verify.start')).toEqual([{ destination: 'b2-offsite', deep: true, samplePercent: 10 }]);
  });

  it('lists what could not be repaired, with the reasons', async () => {
    setup({
      'verify.repair': () => ({
        repaired: 0,
        failed: [{ path: 'docs/plan.txt', error: 'nas does not hold this version either' }],
      }),
    });
    render(<App />);
    const dialog = await openReport();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Repair from nas' }));
    const status = await within(dialog).findByRole('status');
    await waitFor(() => expect(status.textContent).toContain('Repaired 0 versions from nas; 1 version not repaired.'));
    expect(within(status).getByRole('listitem').textContent).toBe(
      'docs/plan.txt: nas does not hold this version either',
    );
    expect(within(dialog).getByRole('button', { name: 'Verify again' })).toBeTruthy();
  });

  it('shows a refused repair as its message and hint', async () => {
    setup({
      'verify.repair': () => {
        throw new ApiError({ code: 'busy', message: 'a backup is running', hint: 'repair once it has finished' });
      },
    });
    render(<App />);
    const dialog = await openReport();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Repair from usb-disk' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('Could not repair from usb-disk: A backup is running');
    expect(alert.textContent).toContain('Repair once it has finished.');
  });
});

describe('verification report, other outcomes', () => {
  function show(answer: VerifyReport[]) {
    installFakeApi({ 'verify.reports': () => answer });
    render(<VerifyReportDialog destination="b2-offsite" reportId={5} onClose={() => undefined} />);
    return screen.getByRole('dialog', { name: 'Verification of b2-offsite' });
  }

  it('an intact quick check: nothing downloaded, nothing to repair', async () => {
    const dialog = show([report({ mode: 'quick', samplePercent: 0, status: 'ok', problems: [], bytesRead: 0 })]);
    await within(dialog).findByText('Every stored version the snapshots reference is there, intact.');
    expect(term(dialog, 'Check')).toBe('Quick: sizes and checksums, no download');
    expect(term(dialog, 'Result')).toBe('Intact');
    expect(term(dialog, 'Versions checked')).toBe('1,234');
    expect(term(dialog, 'Bytes read')).toBe('None (no download)');
    expect(within(dialog).queryByRole('table')).toBeNull();
    expect(within(dialog).queryByRole('button', { name: /Repair from/ })).toBeNull();
  });

  it('a check that could not run says why', async () => {
    const dialog = show([report({ status: 'error', problems: [], error: 'the bucket ada-backups does not exist' })]);
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toBe('The check could not run: The bucket ada-backups does not exist');
    expect(term(dialog, 'Result')).toBe('Could not run');
  });

  it('a report no longer kept says so', async () => {
    const dialog = show([report({ id: 9 })]);
    const alert = await within(dialog).findByRole('alert');
    expect(alert.textContent).toContain('This report is no longer kept: verify again for a new one');
  });
});
