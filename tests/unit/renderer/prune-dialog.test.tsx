// @vitest-environment jsdom
/** @jsxRuntime automatic */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { api } from '../../../renderer/src/api/client.js';
import { Destinations } from '../../../renderer/src/screens/Destinations.js';
import { useActiveRun } from '../../../renderer/src/store/activeRun.js';
import { startEventBridge } from '../../../renderer/src/store/events.js';
import type { PrunePreview } from '../../../shared/api/entities.js';
import { installFakeApi, localDestination, planInfo } from './fake-api.js';

afterEach(cleanup);
beforeEach(() => useActiveRun.setState({ active: null, finishedRunId: null, lastFinished: null }));

const T = Date.UTC(2025, 2, 10, 2, 30);
const DAY = 86_400_000;

function snapshot(i: number, keep: boolean, reasons: string[] = []) {
  return {
    snapshotId: `snap-${i}`,
    sourceName: 'Documents',
    time: T - i * DAY,
    files: 10 + i,
    bytes: 1_000_000 * (i + 1),
    keep,
    reasons,
  };
}

function preview(over: Partial<PrunePreview> = {}): PrunePreview {
  return {
    destination: 'usb-disk',
    policySummary: 'Keeps the latest',
    snapshots: [snapshot(0, true, ['last snapshot']), snapshot(1, false), snapshot(2, false)],
    keep: 1,
    remove: 2,
    foreign: 0,
    damaged: 0,
    historyObjects: 5,
    bytesToFree: 2_500_000,
    collectBlocked: null,
    layout: 'mirror',
    ...over,
  };
}

const plan = planInfo({ retention: { keepLast: 1 } });

function setup(answer: PrunePreview = preview()) {
  const fake = installFakeApi({
    'destinations.list': () => [localDestination],
    'plans.get': () => plan,
    'prune.preview': () => answer,
    'prune.start': () => ({ runId: 42 }),
  });
  const stop = startEventBridge(api());
  render(<Destinations />);
  return { fake, stop };
}

async function openDialog(): Promise<HTMLElement> {
  fireEvent.click(await screen.findByRole('button', { name: 'Prune usb-disk now…' }));
  return screen.getByRole('dialog', { name: 'Prune usb-disk now?' });
}

describe('prune dialog', () => {
  it('lists what the policy keeps and removes, then prunes and follows the run to its end', async () => {
    const { fake, stop } = setup();
    const dialog = await openDialog();
    expect(await within(dialog).findByText(/Removes 2 of 3 snapshots and frees about 2.5 MB/)).toBeTruthy();
    expect(within(dialog).getByText('Keeps the latest.', { exact: false })).toBeTruthy();
    const table = within(dialog).getByRole('table', { name: 'Snapshots on usb-disk' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(within(rows[0]!).getByText('Keep')).toBeTruthy();
    expect(within(rows[0]!).getByText('last snapshot')).toBeTruthy();
    expect(within(rows[1]!).getByText('Remove')).toBeTruthy();
    expect(within(rows[1]!).getByText('2.0 MB · 11 files')).toBeTruthy();
    expect(fake.callsOf('prune.preview')).toEqual([{ destination: 'usb-disk' }]);

    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove 2 snapshots' }));
    expect(await within(dialog).findByRole('progressbar', { name: 'Pruning usb-disk' })).toBeTruthy();
    expect(fake.callsOf('prune.start')).toEqual([{ destination: 'usb-disk' }]);
    // Another run's end is not this one's.
    fake.emit('run.finished', { runId: 41, status: 'ok', error: null });
    expect(within(dialog).getByRole('progressbar')).toBeTruthy();

    fake.emit('run.finished', { runId: 42, status: 'ok', error: null });
    // The store's update renders on React's schedule: wait for it rather than read at once.
    expect(await within(dialog).findByText(/Done: removed 2 snapshots and freed about 2.5 MB/)).toBeTruthy();
    expect(within(dialog).queryByRole('progressbar')).toBeNull();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    stop();
  });

  it('says when nothing would be removed and keeps Confirm disabled', async () => {
    const { fake, stop } = setup(
      preview({
        policySummary: 'Keeps everything',
        snapshots: [snapshot(0, true, ['policy keeps everything'])],
        keep: 1,
        remove: 0,
        historyObjects: 0,
        bytesToFree: 0,
        foreign: 2,
        damaged: 1,
      }),
    );
    const dialog = await openDialog();
    expect(await within(dialog).findByText('Nothing to remove: the policy keeps the only snapshot.')).toBeTruthy();
    expect(
      within(dialog).getByText(
        'Left alone: 2 snapshots of folders this computer does not back up, 1 unreadable snapshot.',
      ),
    ).toBeTruthy();
    expect((within(dialog).getByRole('button', { name: 'Prune' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(fake.callsOf('prune.start')).toEqual([]);
    stop();
  });

  it('lets a vault prune run with nothing to remove, and says space is freed in two steps', async () => {
    const { fake, stop } = setup(
      preview({
        layout: 'vault',
        snapshots: [snapshot(0, true, ['last snapshot'])],
        keep: 1,
        remove: 0,
        historyObjects: 0,
        bytesToFree: 0,
      }),
    );
    const dialog = await openDialog();
    expect(await within(dialog).findByText(/This is a vault: its space is freed in two steps/)).toBeTruthy();
    const prune = within(dialog).getByRole('button', { name: 'Prune' }) as HTMLButtonElement;
    expect(prune.disabled).toBe(false);
    fireEvent.click(prune);
    await within(dialog).findByRole('progressbar');
    expect(fake.callsOf('prune.start')).toEqual([{ destination: 'usb-disk' }]);
    stop();
  });

  it('warns when space cannot be freed yet, and shows a failed prune’s reason', async () => {
    const { fake, stop } = setup(
      preview({ collectBlocked: 'another computer is backing up to this destination; try again later' }),
    );
    const dialog = await openDialog();
    expect(await within(dialog).findByText(/Another computer is backing up to this destination/)).toBeTruthy();
    expect(within(dialog).getByText('Space will not be freed yet:')).toBeTruthy();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove 2 snapshots' }));
    await within(dialog).findByRole('progressbar');
    fake.emit('run.finished', { runId: 42, status: 'failed', error: 'permission denied (/media/usb/strata)' });
    expect((await within(dialog).findByRole('alert')).textContent).toContain(
      'The prune failed: Permission denied (/media/usb/strata)',
    );
    stop();
  });

  it('keeps the dialog open with the reason when the prune cannot start', async () => {
    const { fake, stop } = setup();
    const { ApiError } = await import('../../../shared/api/client.js');
    fake.handlers['prune.start'] = () => {
      throw new ApiError({ code: 'busy', message: 'a backup is running', hint: 'prune once it has finished' });
    };
    const dialog = await openDialog();
    fireEvent.click(await within(dialog).findByRole('button', { name: 'Remove 2 snapshots' }));
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toContain('A backup is running'));
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toBeTruthy();
    stop();
  });
});
