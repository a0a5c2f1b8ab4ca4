// @vitest-environment jsdom
/** @jsxRuntime automatic */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { api } from '../../../renderer/src/api/client.js';
import { Activity } from '../../../renderer/src/screens/Activity.js';
import { startEventBridge } from '../../../renderer/src/store/events.js';
import type { RunInfo } from '../../../shared/api/entities.js';
import { installFakeApi } from './fake-api.js';

afterEach(cleanup);

function run(id: number, over: Partial<RunInfo> = {}): RunInfo {
  const startedAt = 1_700_000_000_000 + id * 86400_000;
  return {
    id,
    trigger: 'manual',
    status: 'ok',
    startedAt,
    finishedAt: startedAt + 125_000,
    error: null,
    results: [
      {
        source: 'Documents',
        sourceId: 's1',
        destination: 'usb-disk',
        destinationId: 'd1',
        status: 'ok',
        snapshotId: 'x',
        filesTotal: 10,
        bytesTotal: 5_000_000,
        filesUploaded: 4,
        bytesUploaded: 2_000_000,
        filesDeleted: 1,
        filesFailed: 0,
        error: null,
        startedAt,
        finishedAt: startedAt + 125_000,
      },
    ],
    ...over,
  };
}

describe('activity', () => {
  it('lists runs newest first, pages back with before, and reloads on run.finished', async () => {
    const all = Array.from({ length: 30 }, (_, i) => run(30 - i));
    all[0] = run(30, { status: 'partial' });
    const fake = installFakeApi({
      'runs.list': (i) => {
        const limit = i.limit ?? 50;
        return all.filter((r) => i.before === undefined || r.id < i.before).slice(0, limit);
      },
    });
    const stop = startEventBridge(api());
    render(<Activity />);
    const list = await screen.findByRole('list', { name: 'Runs' });
    expect(within(list).getAllByRole('listitem', { name: /^Run / })).toHaveLength(25);
    const newest = within(list).getByRole('listitem', { name: 'Run 30' });
    expect(within(newest).getAllByText('Partly failed').length).toBeGreaterThan(0);
    expect(within(newest).getByText('2 min 5 s')).toBeTruthy();
    expect(within(newest).getByText('2.0 MB in 4 files')).toBeTruthy();
    expect(within(newest).getByRole('cell', { name: 'usb-disk' })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Load older' }));
    await waitFor(() => expect(within(list).getAllByRole('listitem', { name: /^Run / })).toHaveLength(30));
    expect(fake.callsOf('runs.list')[1]).toEqual({ limit: 25, before: 6 });
    expect(screen.queryByRole('button', { name: 'Load older' })).toBeNull();

    all.unshift(run(31));
    fake.emit('run.finished', { runId: 31, status: 'ok', error: null });
    expect(await within(list).findByRole('listitem', { name: 'Run 31' })).toBeTruthy();
    expect(fake.callsOf('runs.list').at(-1)).toEqual({ limit: 30 });
    stop();
  });

  it('shows a run’s log with per-file errors, filtered to problems', async () => {
    const fake = installFakeApi({
      'runs.list': () => [run(3, { status: 'partial' })],
      'runs.log': (i) => {
        const lines = [
          { time: 1, level: 'info' as const, source: null, destination: null, path: null, message: 'Backup started' },
          {
            time: 2,
            level: 'error' as const,
            source: 'Documents',
            destination: 'usb-disk',
            path: 'taxes/2024.pdf',
            message: 'permission denied',
          },
        ];
        const chosen = i.level === 'problems' ? lines.filter((l) => l.level !== 'info') : lines;
        return { total: chosen.length, lines: chosen };
      },
    });
    render(<Activity />);
    fireEvent.click(await screen.findByRole('button', { name: 'Show log' }));
    const log = await screen.findByRole('list', { name: 'Log of run 3' });
    expect(within(log).getByText('Backup started')).toBeTruthy();
    expect(within(log).getByText('taxes/2024.pdf')).toBeTruthy();
    expect(within(log).getByText('permission denied')).toBeTruthy();

    fireEvent.click(screen.getByRole('radio', { name: 'Problems' }));
    await waitFor(() => expect(within(log).queryByText('Backup started')).toBeNull());
    expect(fake.callsOf('runs.log').at(-1)).toEqual({ runId: 3, level: 'problems', offset: 0, limit: 200 });
  });

  it('names a prune run and leaves out the transfer line it does not have', async () => {
    installFakeApi({ 'runs.list': () => [run(5, { trigger: 'prune', results: [] }), run(4)] });
    render(<Activity />);
    const prune = await screen.findByRole('listitem', { name: 'Run 5' });
    expect(within(prune).getByText('Prune (retention)')).toBeTruthy();
    expect(within(prune).queryByText(/ in \d+ files?$/)).toBeNull();
    expect(within(screen.getByRole('listitem', { name: 'Run 4' })).getByText('2.0 MB in 4 files')).toBeTruthy();
  });
});
