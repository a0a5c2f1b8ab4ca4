// @vitest-environment jsdom
/** @jsxRuntime automatic */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DestinationEditor } from '../../../renderer/src/destinations/DestinationEditor.js';
import type { DestinationInfo } from '../../../shared/api/entities.js';
import { HOME, folders, installFakeApi, localDestination } from './fake-api.js';

afterEach(cleanup);

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

const vault: DestinationInfo = {
  ...localDestination,
  name: 'safe',
  settings: { kind: 'local', path: '/media/usb/safe', layout: 'vault' },
};

describe('destination editor: the vault layout', () => {
  it('sends a vault with its passphrase only when both fields match; a mirror sends neither', async () => {
    const fake = installFakeApi({ 'fs.folders': (i) => folders(i.path ?? HOME), 'destinations.add': () => vault });
    const onSaved = vi.fn();
    render(<DestinationEditor onSaved={onSaved} />);
    type('Folder', '/media/usb/safe');
    type('Name', 'safe');
    expect(screen.queryByLabelText('Passphrase')).toBeNull();
    fireEvent.click(screen.getByRole('radio', { name: /^Vault/ }));
    expect(screen.getByRole('note').textContent).toMatch(/Without it nothing in this vault can be restored/);

    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Give a passphrase')).toBeTruthy();
    type('Passphrase', 'correct horse');
    type('Confirm passphrase', 'correct hose');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('The passphrases do not match')).toBeTruthy();
    expect(fake.callsOf('destinations.add')).toEqual([]);

    type('Confirm passphrase', 'correct horse');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(fake.callsOf('destinations.add')).toEqual([
      {
        name: 'safe',
        settings: { kind: 'local', path: '/media/usb/safe', layout: 'vault', repoPassphrase: 'correct horse' },
      },
    ]);
  });

  it('shows a saved vault read-only and changes its passphrase in a dialog', async () => {
    const fake = installFakeApi({
      'fs.folders': (i) => folders(i.path ?? HOME),
      'destinations.changePassphrase': () => ({ ok: true }),
    });
    render(<DestinationEditor existing={vault} onSaved={() => undefined} />);
    expect(screen.queryByRole('radio', { name: /^Mirror/ })).toBeNull();
    const layout = screen.getByRole('group', { name: 'Layout' });
    expect(layout.textContent).toMatch(/Vault — deduplicated/);

    fireEvent.click(within(layout).getByRole('button', { name: 'Change passphrase…' }));
    const dialog = screen.getByRole('dialog', { name: 'Change the passphrase of safe' });
    fireEvent.change(within(dialog).getByLabelText('New passphrase'), { target: { value: 'new one' } });
    fireEvent.change(within(dialog).getByLabelText('Confirm new passphrase'), { target: { value: 'new on' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Change passphrase' }));
    expect(await within(dialog).findByText('The passphrases do not match')).toBeTruthy();
    fireEvent.change(within(dialog).getByLabelText('Confirm new passphrase'), { target: { value: 'new one' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Change passphrase' }));
    await screen.findByText('The passphrase of safe was changed.');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(fake.callsOf('destinations.changePassphrase')).toEqual([{ name: 'safe', passphrase: 'new one' }]);
  });

  it('shows a mirror read-only without a passphrase action', () => {
    installFakeApi({ 'fs.folders': (i) => folders(i.path ?? HOME) });
    render(<DestinationEditor existing={localDestination} onSaved={() => undefined} />);
    const layout = screen.getByRole('group', { name: 'Layout' });
    expect(layout.textContent).toMatch(/Mirror — plain files/);
    expect(within(layout).queryByRole('button')).toBeNull();
  });
});
