// @vitest-environment jsdom
/** @jsxRuntime automatic */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SourcesScreen } from '../../../renderer/src/screens/SourcesScreen.js';
import { useDestinations } from '../../../renderer/src/store/destinations.js';
import { useSources } from '../../../renderer/src/store/sources.js';
import type { DestinationInfo, SourceInfo } from '../../../shared/api/entities.js';
import { HOME, folders, installFakeApi, localDestination, source } from './fake-api.js';

vi.mock('../../../renderer/src/tree/SourceTree.js', () => ({
  SourceTree: (props: { source: SourceInfo; destinations: DestinationInfo[] }) => (
    <p>
      tree of {props.source.name} for {props.destinations.map((d) => d.name).join(',')}
    </p>
  ),
}));

afterEach(() => {
  cleanup();
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
    expect((screen.getByLabelText('Source') as HTMLSelectElement).value).toBe('photos');

    fireEvent.click(screen.getByRole('button', { name: 'Remove source' }));
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
});
