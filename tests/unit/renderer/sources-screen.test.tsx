// @vitest-environment jsdom
/** @jsxRuntime automatic */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SourcesScreen } from '../../../renderer/src/screens/SourcesScreen.js';
import { useDestinations } from '../../../renderer/src/store/destinations.js';
import { useRoute } from '../../../renderer/src/store/route.js';
import { useSources } from '../../../renderer/src/store/sources.js';
import type { UnsavedTicks } from '../../../renderer/src/tree/SourceTree.js';
import type { DestinationInfo, SourceInfo } from '../../../shared/api/entities.js';
import { HOME, folders, installFakeApi, localDestination, source } from './fake-api.js';

/** The mocked tree's unsaved ticks, as a test sets them. */
const ticks = { count: 0, saved: 0, discarded: 0, fail: false };

vi.mock('../../../renderer/src/tree/SourceTree.js', () => ({
  SourceTree: (props: {
    source: SourceInfo;
    destinations: DestinationInfo[];
    unsavedRef?: { current: UnsavedTicks | null };
  }) => {
    if (props.unsavedRef) {
      props.unsavedRef.current = {
        count: () => ticks.count,
        save: async () => {
          if (ticks.fail) throw new Error('no destination named usb-disk');
          ticks.saved += 1;
          ticks.count = 0;
        },
        discard: () => {
          ticks.discarded += 1;
          ticks.count = 0;
        },
      };
    }
    return (
      <p>
        tree of {props.source.name} for {props.destinations.map((d) => d.name).join(',')}
      </p>
    );
  },
}));

const bucket: SourceInfo = { id: 's3', name: 'photos-primary', kind: 'bucket', path: 'photos/2024', createdAt: 3 };
const drive: SourceInfo = {
  id: 's4',
  name: 'drive',
  kind: 'gdrive',
  path: 'Google Drive (ada@example.com)',
  account: 'ada@example.com',
  connected: true,
  createdAt: 4,
};

afterEach(() => {
  cleanup();
  Object.assign(ticks, { count: 0, saved: 0, discarded: 0, fail: false });
  useRoute.setState({ screen: 'dashboard', leaveGuard: null });
  vi.restoreAllMocks();
  useSources.setState({ list: null, error: null });
  useDestinations.setState({ list: null, error: null });
});

describe('sources screen', () => {
  it('shows the tree of the chosen source, adds and removes sources', async () => {
    let sources: SourceInfo[] = [source];
    const fake = installFakeApi({
      'sources.list': () => sources,
      'destinations.list': () => [localDestination],
      'fs.folders': (i) => folders(i.path ?? HOME),
      'sources.add': (i) => {
        const s = { ...source, id: 's2', name: i.name, path: i.path };
        sources = [...sources, s];
        return s;
      },
      'sources.remove': (i) => {
        sources = sources.filter((s) => s.name !== i.name);
        return { ok: true as const };
      },
    });
    render(<SourcesScreen />);
    expect(await screen.findByText('tree of Documents for usb-disk')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Add source' }));
    fireEvent.change(await screen.findByLabelText('Folder'), { target: { value: '/srv/photos' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add source' }));
    await waitFor(() => expect(fake.callsOf('sources.add')).toEqual([{ name: 'photos', path: '/srv/photos' }]));
    expect(await screen.findByText('tree of photos for usb-disk')).toBeTruthy();
    const rows = within(screen.getByRole('list', { name: 'Sources' }));
    expect(rows.getByRole('button', { name: /^photos/ }).getAttribute('aria-current')).toBe('true');
    expect(rows.getByRole('button', { name: /^Documents/ }).getAttribute('aria-current')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Remove photos' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove photos?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(fake.callsOf('sources.remove')).toEqual([{ name: 'photos' }]));
    expect(await screen.findByText('tree of Documents for usb-disk')).toBeTruthy();
  });

  it('asks for a destination before showing the tree', async () => {
    installFakeApi({ 'sources.list': () => [source], 'destinations.list': () => [] });
    render(<SourcesScreen />);
    expect(await screen.findByText('No destinations yet.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Go to Destinations' })).toBeTruthy();
    expect(screen.queryByText(/tree of/)).toBeNull();
  });

  it('lists each source with its kind and place, and a Drive with its account and connection', async () => {
    installFakeApi({ 'sources.list': () => [source, bucket, drive], 'destinations.list': () => [localDestination] });
    render(<SourcesScreen />);
    const list = await screen.findByRole('list', { name: 'Sources' });
    const row = (name: string) => within(within(list).getByRole('listitem', { name }));
    expect(row('Documents').getByText('Folder')).toBeTruthy();
    expect(row('Documents').getByText(`${HOME}/Documents`)).toBeTruthy();
    expect(row('photos-primary').getByText('Bucket')).toBeTruthy();
    expect(row('photos-primary').getByText('photos/2024')).toBeTruthy();
    expect(row('drive').getByText('Google Drive')).toBeTruthy();
    expect(row('drive').getByText('ada@example.com')).toBeTruthy();
    expect(row('drive').getByText('Connected')).toBeTruthy();
    expect(row('drive').getByRole('button', { name: 'Disconnect drive' })).toBeTruthy();
    expect(row('drive').queryByRole('button', { name: 'Reconnect drive' })).toBeNull();
    // Only a Drive has a connection.
    expect(row('photos-primary').queryByText(/Connected|Disconnected/)).toBeNull();

    fireEvent.click(row('drive').getByRole('button', { name: /^drive/ }));
    expect(await screen.findByText('tree of drive for usb-disk')).toBeTruthy();
  });

  it('disconnects a Drive after confirming, then offers Reconnect', async () => {
    let current = drive;
    const fake = installFakeApi({
      'sources.list': () => [source, current],
      'destinations.list': () => [localDestination],
      'sources.gdrive.disconnect': () => {
        current = { ...drive, connected: false };
        return { ok: true as const };
      },
    });
    render(<SourcesScreen />);
    fireEvent.click(await screen.findByRole('button', { name: 'Disconnect drive' }));
    const dialog = screen.getByRole('dialog', { name: 'Disconnect drive?' });
    expect(dialog.textContent).toContain('ada@example.com');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Disconnect' }));
    await waitFor(() => expect(fake.callsOf('sources.gdrive.disconnect')).toEqual([{ name: 'drive' }]));
    const row = within(screen.getByRole('listitem', { name: 'drive' }));
    expect(await row.findByText('Disconnected')).toBeTruthy();
    expect(row.getByRole('button', { name: 'Reconnect drive' })).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    // Its tree says why it cannot be read.
    expect(screen.queryByText('drive is disconnected from Google.')).toBeNull();
    fireEvent.click(row.getByRole('button', { name: /^drive/ }));
    expect(await screen.findByText('drive is disconnected from Google.')).toBeTruthy();
    expect(screen.getByText('tree of drive for usb-disk')).toBeTruthy();
  });

  it('reconnects a Drive: signs in with just its name, waits for Google in a dialog, then shows it connected', async () => {
    let current: SourceInfo = { ...drive, connected: false };
    let polls = 0;
    const open = vi.spyOn(window, 'open').mockImplementation(() => null);
    const fake = installFakeApi({
      'sources.list': () => [source, current],
      'destinations.list': () => [localDestination],
      'sources.gdrive.signIn': () => ({ attempt: 'a1', url: 'https://accounts.google.com/o/oauth2/v2/auth?x=1' }),
      'sources.gdrive.status': () => {
        polls += 1;
        if (polls < 2) return { state: 'waiting' as const };
        current = { ...drive, connected: true };
        return { state: 'done' as const, source: current };
      },
    });
    render(<SourcesScreen />);
    fireEvent.click(await screen.findByRole('button', { name: 'Reconnect drive' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reconnect drive' });
    expect(fake.callsOf('sources.gdrive.signIn')).toEqual([{ name: 'drive' }]);
    expect(open).toHaveBeenCalledWith(
      'https://accounts.google.com/o/oauth2/v2/auth?x=1',
      '_blank',
      'noopener,noreferrer',
    );
    expect(within(dialog).getByText('Waiting for Google…')).toBeTruthy();
    expect(within(dialog).getByRole('link', { name: 'open this link' }).getAttribute('href')).toBe(
      'https://accounts.google.com/o/oauth2/v2/auth?x=1',
    );

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull(), { timeout: 4000 });
    expect(fake.callsOf('sources.gdrive.status')).toEqual([{ attempt: 'a1' }, { attempt: 'a1' }]);
    const row = within(screen.getByRole('listitem', { name: 'drive' }));
    expect(await row.findByText('Connected')).toBeTruthy();
    expect(fake.callsOf('sources.gdrive.cancel')).toEqual([]);
  });

  it('cancels a reconnect when its dialog is closed', async () => {
    vi.spyOn(window, 'open').mockImplementation(() => null);
    const fake = installFakeApi({
      'sources.list': () => [{ ...drive, connected: false }],
      'destinations.list': () => [localDestination],
      'sources.gdrive.signIn': () => ({ attempt: 'a2', url: 'https://accounts.google.com/o/oauth2/v2/auth' }),
      'sources.gdrive.status': () => ({ state: 'waiting' as const }),
      'sources.gdrive.cancel': () => ({ ok: true as const }),
    });
    render(<SourcesScreen />);
    fireEvent.click(await screen.findByRole('button', { name: 'Reconnect drive' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reconnect drive' });
    // The dialog listens for Escape once its effect ran, which is when focus moves into it.
    await waitFor(() => expect(dialog.contains(document.activeElement)).toBe(true));
    fireEvent.keyDown(document, { key: 'Escape' });
    await waitFor(() => expect(fake.callsOf('sources.gdrive.cancel')).toEqual([{ attempt: 'a2' }]));
    expect(dialog.isConnected).toBe(false);
  });

  it('asks to save or discard unsaved ticks before showing another source or screen', async () => {
    installFakeApi({ 'sources.list': () => [source, bucket], 'destinations.list': () => [localDestination] });
    useRoute.setState({ screen: 'sources' });
    render(<SourcesScreen />);
    expect(await screen.findByText('tree of Documents for usb-disk')).toBeTruthy();
    ticks.count = 2;

    // Another source: Stay keeps the tree and its ticks.
    fireEvent.click(screen.getByRole('button', { name: /^photos-primary/ }));
    let dialog = screen.getByRole('dialog', { name: 'Save your changes?' });
    expect(dialog.textContent).toContain('2 changes to what Documents sends where are not saved');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Stay' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.getByText('tree of Documents for usb-disk')).toBeTruthy();

    // Discard, and the other source shows.
    fireEvent.click(screen.getByRole('button', { name: /^photos-primary/ }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Discard' }));
    expect(ticks.discarded).toBe(1);
    expect(await screen.findByText('tree of photos-primary for usb-disk')).toBeTruthy();

    // Another screen: a failed save keeps the user here with the reason; a good one goes on.
    ticks.count = 1;
    ticks.fail = true;
    act(() => useRoute.getState().go('dashboard'));
    expect(useRoute.getState().screen).toBe('sources');
    dialog = screen.getByRole('dialog', { name: 'Save your changes?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('No destination named usb-disk');
    expect(useRoute.getState().screen).toBe('sources');
    ticks.fail = false;
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(useRoute.getState().screen).toBe('dashboard'));
    expect(ticks.saved).toBe(1);
  });

  it('leaves at once when nothing is unsaved', async () => {
    installFakeApi({ 'sources.list': () => [source], 'destinations.list': () => [localDestination] });
    useRoute.setState({ screen: 'sources' });
    render(<SourcesScreen />);
    expect(await screen.findByText('tree of Documents for usb-disk')).toBeTruthy();
    act(() => useRoute.getState().go('activity'));
    expect(useRoute.getState().screen).toBe('activity');
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});
