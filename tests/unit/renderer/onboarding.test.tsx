// @vitest-environment jsdom
/** @jsxRuntime automatic */
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../renderer/src/App.js';
import type { DestinationInfo, SourceInfo } from '../../../shared/api/entities.js';
import { HOME, appInfo, folders, installFakeApi, settings, source } from './fake-api.js';

afterEach(cleanup);

describe('onboarding', () => {
  it('adds a folder, then a local destination, then lands on the dashboard', async () => {
    let firstRun = true;
    const sources: SourceInfo[] = [];
    const fake = installFakeApi({
      'app.info': () => appInfo(firstRun),
      'settings.get': () => settings,
      'sources.list': () => sources,
      'fs.folders': (input) => folders(input.path ?? HOME),
      'sources.add': (input) => {
        const s = { ...source, name: input.name, path: input.path };
        sources.push(s);
        return s;
      },
      'destinations.test': () => ({
        ok: true,
        summary: 'Strata can write, read and delete in /media/usb/strata.',
        steps: [
          { step: 'config', ok: true, ms: 1 },
          { step: 'write', ok: true, ms: 3 },
          { step: 'read', ok: true, ms: 2 },
          { step: 'delete', ok: true, ms: 1 },
        ],
      }),
      'destinations.add': (input): DestinationInfo => {
        firstRun = false;
        return {
          id: 'd1',
          name: input.name,
          provider: 'local',
          label: '/media/usb/strata',
          settings: { kind: 'local', path: '/media/usb/strata' },
          secretSaved: false,
          createdAt: 1,
        };
      },
      'dashboard.get': () => ({
        destinations: [],
        sources: 1,
        active: null,
        schedulesPaused: false,
        timeZone: 'UTC',
        alerts: [],
      }),
    });

    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Add your first folder' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /skip/i })).toBeNull();

    // Browse into Documents: the folder field and the suggested name follow.
    fireEvent.click(await screen.findByRole('button', { name: /Documents/ }));
    await waitFor(() => expect((screen.getByLabelText('Folder') as HTMLInputElement).value).toBe(`${HOME}/Documents`));
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('Documents');
    fireEvent.click(screen.getByRole('button', { name: 'Add folder' }));

    expect(await screen.findByRole('heading', { name: 'Choose where backups go' })).toBeTruthy();
    expect(fake.callsOf('sources.add')).toEqual([{ name: 'Documents', path: `${HOME}/Documents` }]);

    // A local folder by default: type the path of a backup disk.
    fireEvent.change(screen.getByLabelText('Folder'), { target: { value: '/media/usb/strata' } });
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('strata');
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'usb-disk' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText(/Strata can write, read and delete/)).toBeTruthy();
    expect(fake.callsOf('destinations.test')).toEqual([{ settings: { kind: 'local', path: '/media/usb/strata' } }]);

    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('navigation', { name: 'Main' })).toBeTruthy();
    expect(await screen.findByRole('heading', { name: 'Dashboard', level: 1 })).toBeTruthy();

    expect(fake.callsOf('destinations.add')).toEqual([
      { name: 'usb-disk', settings: { kind: 'local', path: '/media/usb/strata' } },
    ]);
    const order = fake.calls.map((c) => c.method).filter((m) => m.endsWith('.add') || m === 'app.info');
    expect(order).toEqual(['app.info', 'sources.add', 'destinations.add', 'app.info']);
  });

  it('offers the cloud providers in the same editor', async () => {
    installFakeApi({
      'app.info': () => appInfo(true),
      'settings.get': () => settings,
      'sources.list': () => [source],
      'fs.folders': (input) => folders(input.path ?? HOME),
    });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Choose where backups go' })).toBeTruthy();
    expect(screen.queryByLabelText('Provider')).toBeNull();
    fireEvent.click(screen.getByRole('radio', { name: /A cloud provider/ }));
    const provider = screen.getByLabelText('Provider') as HTMLSelectElement;
    const options = Array.from(provider.options).map((o) => o.textContent);
    expect(options).toEqual(['AWS S3', 'Cloudflare R2', 'Backblaze B2', 'Wasabi', 'MinIO', 'Other S3-compatible']);
    expect(screen.getByLabelText('Bucket')).toBeTruthy();
  });

  it('shows what went wrong when adding the folder fails', async () => {
    const { ApiError } = await import('../../../shared/api/client.js');
    installFakeApi({
      'app.info': () => appInfo(true),
      'settings.get': () => settings,
      'sources.list': () => [],
      'fs.folders': (input) => folders(input.path ?? HOME),
      'sources.add': () => {
        throw new ApiError({ code: 'not_found', message: 'folder /nope does not exist', hint: 'check the path' });
      },
    });
    render(<App />);
    await screen.findByRole('heading', { name: 'Add your first folder' });
    fireEvent.change(screen.getByLabelText('Folder'), { target: { value: '/nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add folder' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Folder /nope does not exist');
    expect(alert.textContent).toContain('Check the path');
  });
});
