// @vitest-environment jsdom
/** @jsxRuntime automatic */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DestinationEditor } from '../../../renderer/src/destinations/DestinationEditor.js';
import { Destinations } from '../../../renderer/src/screens/Destinations.js';
import type { DestinationInfo, TestResult } from '../../../shared/api/entities.js';
import { B2_REGIONS } from '../../../shared/providers.js';
import { HOME, b2Destination, folders, installFakeApi, localDestination, planInfo } from './fake-api.js';

afterEach(cleanup);

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

function saved(input: { name: string }): DestinationInfo {
  return { ...b2Destination, name: input.name };
}

describe('destination editor', () => {
  it('asks R2 for the Account ID and builds its endpoint', async () => {
    const fake = installFakeApi({ 'fs.folders': (i) => folders(i.path ?? HOME), 'destinations.add': saved });
    const onSaved = vi.fn();
    render(<DestinationEditor onSaved={onSaved} />);
    fireEvent.change(screen.getByLabelText('Provider'), { target: { value: 'r2' } });

    expect(screen.getByLabelText('Account ID')).toBeTruthy();
    expect(screen.queryByLabelText('Region')).toBeNull();
    expect(screen.getByText(/Manage R2 API Tokens/)).toBeTruthy();
    type('Account ID', '0123456789abcdef0123456789abcdef');
    type('Bucket', 'family-photos');
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('family-photos');
    type('Name', 'r2-photos');
    type('Prefix', '/laptop/');
    type('Access key ID', 'AK');
    expect((screen.getByLabelText('Secret access key') as HTMLInputElement).type).toBe('password');
    type('Secret access key', 'shh');
    fireEvent.change(screen.getByLabelText('Storage class'), { target: { value: 'STANDARD_IA' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(fake.callsOf('destinations.add')).toEqual([
      {
        name: 'r2-photos',
        settings: {
          kind: 's3',
          provider: 'r2',
          bucket: 'family-photos',
          prefix: 'laptop',
          region: 'auto',
          endpoint: 'https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com',
          storageClass: 'STANDARD_IA',
          accessKeyId: 'AK',
          secretAccessKey: 'shh',
        },
      },
    ]);
  });

  it('offers B2 regions in a select and sends no endpoint', async () => {
    const fake = installFakeApi({ 'fs.folders': (i) => folders(i.path ?? HOME), 'destinations.add': saved });
    render(<DestinationEditor onSaved={() => undefined} />);
    fireEvent.change(screen.getByLabelText('Provider'), { target: { value: 'b2' } });

    const region = screen.getByLabelText('Region') as HTMLSelectElement;
    expect(region.tagName).toBe('SELECT');
    // The list itself is pinned in providers.test.ts; here: the editor offers exactly it, after "choose".
    expect(Array.from(region.options).map((o) => o.value)).toEqual(['', ...B2_REGIONS.map((r) => r.id)]);
    expect(screen.queryByLabelText('Account ID')).toBeNull();
    expect(screen.queryByLabelText('Storage class')).toBeNull();

    type('Name', 'b2');
    type('Bucket', 'ada-backups');
    type('Access key ID', '004abc');
    type('Secret access key', 'K004');
    // Saving without a region names the missing field and sends nothing.
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('Choose the region')).toBeTruthy();
    expect(fake.callsOf('destinations.add')).toEqual([]);

    fireEvent.change(region, { target: { value: 'us-west-004' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(fake.callsOf('destinations.add')).toHaveLength(1));
    expect(fake.callsOf('destinations.add')[0]!.settings).toEqual({
      kind: 's3',
      provider: 'b2',
      bucket: 'ada-backups',
      prefix: '',
      region: 'us-west-004',
      accessKeyId: '004abc',
      secretAccessKey: 'K004',
    });
  });

  it('asks MinIO for the endpoint and takes a custom endpoint for AWS under Advanced', async () => {
    installFakeApi({ 'fs.folders': (i) => folders(i.path ?? HOME) });
    render(<DestinationEditor onSaved={() => undefined} />);
    fireEvent.change(screen.getByLabelText('Provider'), { target: { value: 'minio' } });
    expect(screen.getAllByLabelText('Endpoint URL')).toHaveLength(1);
    expect((screen.getByLabelText('Path-style addressing') as HTMLInputElement).checked).toBe(true);

    fireEvent.change(screen.getByLabelText('Provider'), { target: { value: 'aws' } });
    expect(screen.getByLabelText('Storage class')).toBeTruthy();
    expect(screen.getByText('Advanced')).toBeTruthy();
    expect((screen.getByLabelText('Path-style addressing') as HTMLInputElement).checked).toBe(false);
  });

  it('keeps the saved secret when editing with the secret field empty', async () => {
    const fake = installFakeApi({
      'fs.folders': (i) => folders(i.path ?? HOME),
      'destinations.update': (i) => ({ ...b2Destination, name: i.name }),
    });
    const onSaved = vi.fn();
    render(<DestinationEditor existing={b2Destination} onSaved={onSaved} />);
    expect((screen.getByLabelText('Name') as HTMLInputElement).disabled).toBe(true);
    const secret = screen.getByLabelText('Secret access key') as HTMLInputElement;
    expect(secret.value).toBe('');
    expect(screen.getByText('Saved — leave empty to keep')).toBeTruthy();
    expect((screen.getByLabelText('Region') as HTMLSelectElement).value).toBe('us-west-004');
    type('Prefix', 'laptop-2');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(fake.callsOf('destinations.update')).toEqual([
      {
        name: 'b2-offsite',
        settings: {
          kind: 's3',
          provider: 'b2',
          bucket: 'ada-backups',
          prefix: 'laptop-2',
          region: 'us-west-004',
          accessKeyId: '004abc',
        },
      },
    ]);
  });
});

describe('test connection', () => {
  const failed: TestResult = {
    ok: false,
    summary: 'The key was accepted but cannot write to the bucket: give it write access.',
    steps: [
      { step: 'config', ok: true, ms: 1 },
      { step: 'credentials', ok: true, ms: 120 },
      { step: 'write', ok: false, ms: 80, error: 'AccessDenied: not allowed to PutObject' },
    ],
  };

  it('tests the unsaved draft and shows failed steps with their errors', async () => {
    const fake = installFakeApi({ 'fs.folders': (i) => folders(i.path ?? HOME), 'destinations.test': () => failed });
    render(<DestinationEditor initialProvider="wasabi" onSaved={() => undefined} />);
    expect((screen.getByLabelText('Region') as HTMLSelectElement).value).toBe('us-east-1');
    type('Bucket', 'ada');
    type('Access key ID', 'WK');
    type('Secret access key', 'WS');
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));

    const steps = await screen.findByRole('list', { name: 'Connection test steps' });
    const items = within(steps).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      expect.stringMatching(/^✓Settings/),
      expect.stringMatching(/^✓Credentials/),
      expect.stringMatching(/^✗Write a test file: failed.*AccessDenied: not allowed to PutObject/),
    ]);
    expect(items[2]!.className).toBe('step-failed');
    expect(screen.getByText(/cannot write to the bucket/)).toBeTruthy();
    expect(fake.callsOf('destinations.test')).toEqual([
      {
        settings: {
          kind: 's3',
          provider: 'wasabi',
          bucket: 'ada',
          prefix: '',
          accessKeyId: 'WK',
          secretAccessKey: 'WS',
        },
      },
    ]);
  });

  it('tests a saved destination by name from the list', async () => {
    const fake = installFakeApi({
      'destinations.list': () => [localDestination, b2Destination],
      'plans.get': (i) => planInfo({ destination: i.destination }),
      'destinations.test': () => failed,
    });
    render(<Destinations />);
    const row = await screen.findByRole('listitem', { name: 'b2-offsite' });
    expect(within(row).getByText('Backblaze B2')).toBeTruthy();
    expect(within(row).getByText('Secret saved')).toBeTruthy();
    fireEvent.click(within(row).getByRole('button', { name: 'Test b2-offsite' }));
    expect(await within(row).findByText(/AccessDenied/)).toBeTruthy();
    expect(fake.callsOf('destinations.test')).toEqual([{ name: 'b2-offsite' }]);
  });

  it('removes a destination after confirming', async () => {
    let list = [localDestination, b2Destination];
    const fake = installFakeApi({
      'destinations.list': () => list,
      'plans.get': (i) => planInfo({ destination: i.destination }),
      'destinations.remove': (i) => {
        list = list.filter((d) => d.name !== i.name);
        return { ok: true as const };
      },
    });
    render(<Destinations />);
    fireEvent.click(await screen.findByRole('button', { name: 'Remove usb-disk' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove usb-disk?' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(screen.queryByRole('listitem', { name: 'usb-disk' })).toBeNull());
    expect(fake.callsOf('destinations.remove')).toEqual([{ name: 'usb-disk' }]);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });
});
