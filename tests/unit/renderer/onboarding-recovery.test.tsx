// @vitest-environment jsdom
/** @jsxRuntime automatic */
/** Onboarding's "Restore from an existing backup": connect, see what is there, rebuild the index, on to restore. */
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import { AFTER_RECOVERY } from '../../../renderer/src/screens/Onboarding.js';
import { SCREENS, useRoute } from '../../../renderer/src/store/route.js';
import type { RecoveryDiscovery, RepairReport } from '../../../shared/api/entities.js';
import { HOME, appInfo, emptyDashboard, folders, installFakeApi, localDestination, settings } from './fake-api.js';

afterEach(() => {
  cleanup();
  useRoute.setState({ screen: 'dashboard' });
});

const LATEST = Date.UTC(2026, 2, 14, 9, 30);

const found: RecoveryDiscovery = {
  destination: 'usb-disk',
  repositoryId: 'repo-1',
  snapshots: 5,
  damaged: 0,
  latest: LATEST,
  sources: [
    {
      sourceId: 'docs-1a2b3c4d',
      sourceName: 'docs',
      kind: 'local',
      root: '/home/ada/docs',
      hostname: 'old-laptop',
      snapshots: 4,
      latest: LATEST,
      latestSnapshotId: '20260314T093000.000Z-aaaaaaaa',
      configured: false,
    },
    {
      sourceId: 'media-5e6f7a8b',
      sourceName: 'media',
      kind: 'bucket',
      root: 'media-primary/app',
      hostname: 'old-laptop',
      snapshots: 1,
      latest: LATEST - 86_400_000,
      latestSnapshotId: '20260313T093000.000Z-bbbbbbbb',
      configured: false,
    },
  ],
};

function report(withBucket: boolean): RepairReport {
  const { configured: _a, ...docs } = found.sources[0]!;
  const { configured: _b, ...media } = found.sources[1]!;
  return {
    destinations: [{ name: 'usb-disk', repositoryId: 'repo-1', snapshots: 5, damaged: 0, error: null }],
    sources: [
      { ...docs, status: 'created', message: "set up 'docs' again", destinations: ['usb-disk'] },
      ...(withBucket
        ? [{ ...media, status: 'needs-credentials' as const, message: 'add it again', destinations: ['usb-disk'] }]
        : []),
    ],
    synced: [
      {
        source: 'docs',
        destination: 'usb-disk',
        snapshotId: docs.latestSnapshotId,
        files: 120,
        rebuilt: true,
        error: null,
      },
    ],
  };
}

function setup(discovery: RecoveryDiscovery, repaired: RepairReport) {
  let firstRun = true;
  return installFakeApi({
    'app.info': () => appInfo(firstRun),
    'settings.get': () => settings,
    'sources.list': () => [],
    'fs.folders': (input) => folders(input.path ?? HOME),
    'destinations.add': (input) => ({ ...localDestination, name: input.name }),
    'destinations.remove': () => ({ ok: true as const }),
    'recovery.discover': () => discovery,
    'recovery.repairIndex': () => {
      firstRun = false;
      return repaired;
    },
    'dashboard.get': () => emptyDashboard(),
  });
}

async function connect(): Promise<void> {
  render(<App />);
  await screen.findByRole('heading', { name: 'Add your first folder' });
  fireEvent.click(screen.getByRole('button', { name: 'Restore from an existing backup' }));
  expect(await screen.findByRole('heading', { name: 'Restore from an existing backup' })).toBeTruthy();
  fireEvent.change(screen.getByLabelText('Folder'), { target: { value: '/media/usb/strata' } });
  fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'usb-disk' } });
  fireEvent.click(screen.getByRole('button', { name: 'Connect' }));
}

describe('onboarding: restore from an existing backup', () => {
  it('connects the destination, shows its sources and snapshots, rebuilds the index and goes to restore', async () => {
    const fake = setup(found, report(true));
    await connect();

    expect(await screen.findByRole('heading', { name: 'Backups found in usb-disk' })).toBeTruthy();
    expect(fake.callsOf('destinations.add')).toEqual([
      { name: 'usb-disk', settings: { kind: 'local', path: '/media/usb/strata' } },
    ]);
    expect(fake.callsOf('recovery.discover')).toEqual([{ destination: 'usb-disk' }]);
    expect(screen.getByText(/5 snapshots of 2 sources, the latest from/)).toBeTruthy();
    const rows = within(screen.getByRole('table', { name: 'Sources found' })).getAllByRole('row');
    expect(rows.map((r) => r.textContent)).toEqual([
      'SourceBacked up fromSnapshotsLatest',
      expect.stringMatching(/^docsFolder\/home\/ada\/docs on old-laptop4.*2026/),
      expect.stringMatching(/^mediaBucketmedia-primary\/app on old-laptop1.*2026/),
    ]);

    fireEvent.click(screen.getByRole('button', { name: 'Continue to restore' }));
    // The bucket needs its credentials: said before going on.
    expect(await screen.findByRole('heading', { name: 'The local index is rebuilt' })).toBeTruthy();
    expect(fake.callsOf('recovery.repairIndex')).toEqual([{ destination: 'usb-disk' }]);
    expect(screen.getByText(/media \(the bucket media-primary\/app\) needs its credentials/).textContent).toContain(
      '--id media-5e6f7a8b',
    );

    fireEvent.click(screen.getByRole('button', { name: 'Continue to restore' }));
    expect(await screen.findByRole('navigation', { name: 'Main' })).toBeTruthy();
    expect(useRoute.getState().screen).toBe(AFTER_RECOVERY);
    expect(AFTER_RECOVERY).toBe((SCREENS as readonly string[]).includes('restore') ? 'restore' : 'dashboard');
  });

  it('goes straight on when nothing needs attention', async () => {
    setup(found, report(false));
    await connect();
    fireEvent.click(await screen.findByRole('button', { name: 'Continue to restore' }));
    expect(await screen.findByRole('navigation', { name: 'Main' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'The local index is rebuilt' })).toBeNull();
    expect(useRoute.getState().screen).toBe(AFTER_RECOVERY);
  });

  it('says when the destination holds no backups, and lets it go for a fresh start', async () => {
    const fake = setup({ ...found, repositoryId: null, snapshots: 0, latest: null, sources: [] }, report(false));
    await connect();
    expect(await screen.findByRole('heading', { name: 'No backups found in usb-disk' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Start fresh instead' }));
    expect(await screen.findByRole('heading', { name: 'Add your first folder' })).toBeTruthy();
    expect(fake.callsOf('destinations.remove')).toEqual([{ name: 'usb-disk' }]);
    expect(fake.callsOf('recovery.repairIndex')).toEqual([]);
  });

  it('shows why the destination could not be read, with a way to try again', async () => {
    const { ApiError } = await import('../../../shared/api/client.js');
    let fail = true;
    const fake = setup(found, report(false));
    fake.handlers['recovery.discover'] = () => {
      if (fail) throw new ApiError({ code: 'network', message: 'cannot reach the bucket', hint: 'check the network' });
      return found;
    };
    await connect();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not read usb-disk');
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { name: 'Backups found in usb-disk' })).toBeTruthy();
  });
});
