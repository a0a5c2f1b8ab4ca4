// @vitest-environment jsdom
/** @jsxRuntime automatic */
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../shared/api/client.js';
import type { DriveSignInStatus, SourceInfo } from '../../../shared/api/entities.js';
import { AddSource } from '../../../renderer/src/sources/AddSource.js';
import { HOME, folders, installFakeApi, type Handlers } from './fake-api.js';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });
const kind = (name: RegExp) => fireEvent.click(screen.getByRole('radio', { name }));

/** The Folder form shows first, and its folder picker lists the home folder. */
const picker: Handlers = { 'fs.folders': (i) => folders(i.path ?? HOME) };

const GOOGLE_URL = 'https://accounts.google.com/o/oauth2/v2/auth?client_id=123&code_challenge=abc';

function bucketSource(name: string): SourceInfo {
  return { id: 'b1', name, kind: 'bucket', path: 'family-photos', createdAt: 1 };
}

function driveSource(name: string): SourceInfo {
  return {
    id: 'g1',
    name,
    kind: 'gdrive',
    path: 'Google Drive (ada@example.com)',
    account: 'ada@example.com',
    connected: true,
    createdAt: 1,
  };
}

describe('add source: the kinds', () => {
  it('offers a folder, a bucket, Google Drive and a command, the folder first', () => {
    installFakeApi({ ...picker });
    render(<AddSource onAdded={() => undefined} />);
    const radios = screen.getAllByRole('radio') as HTMLInputElement[];
    expect(radios.map((r) => r.labels?.[0]?.querySelector('.kind-title')?.textContent)).toEqual([
      'Folder',
      'Bucket',
      'Google Drive',
      'Command',
    ]);
    expect(radios[0]!.checked).toBe(true);
    expect(screen.getByRole('heading', { name: 'Add a source folder' })).toBeTruthy();
    expect(screen.getByLabelText('Folder')).toBeTruthy();

    kind(/^Bucket/);
    expect(screen.getByRole('heading', { name: 'Add a bucket' })).toBeTruthy();
    expect(screen.queryByLabelText('Folder')).toBeNull();
    kind(/^Google Drive/);
    expect(screen.getByRole('heading', { name: 'Connect Google Drive' })).toBeTruthy();
  });

  it('says "your first" in onboarding, with an h1', () => {
    installFakeApi({ ...picker });
    render(<AddSource first onAdded={() => undefined} />);
    expect(screen.getByRole('heading', { level: 1, name: 'Add your first folder' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Add folder' })).toBeTruthy();
    kind(/^Google Drive/);
    expect(screen.getByRole('heading', { level: 1, name: 'Connect your Google Drive' })).toBeTruthy();
  });
});

describe('add source: a bucket', () => {
  it('names what is missing and sends nothing, then adds an R2 bucket with its endpoint and no storage class', async () => {
    const fake = installFakeApi({ ...picker, 'sources.addBucket': (i) => bucketSource(i.name) });
    const onAdded = vi.fn();
    render(<AddSource onAdded={onAdded} />);
    kind(/^Bucket/);
    expect((screen.getByLabelText('Provider') as HTMLSelectElement).value).toBe('r2');
    expect(screen.queryByLabelText('Storage class')).toBeNull();
    expect(screen.getByText(/a read-only key is enough/)).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Add bucket' }));
    expect(await screen.findByText('Give the bucket name')).toBeTruthy();
    expect(screen.getByText('Give the Account ID')).toBeTruthy();
    expect(screen.getByText('Give the access key ID')).toBeTruthy();
    expect(screen.getByText('Give the secret access key')).toBeTruthy();
    expect(screen.getByText('Give a name')).toBeTruthy();
    expect(fake.callsOf('sources.addBucket')).toEqual([]);

    type('Account ID', '0123456789abcdef0123456789abcdef');
    type('Bucket', 'family-photos');
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('family-photos');
    expect(screen.queryByText('Give the bucket name')).toBeNull();
    type('Prefix', '/2024/');
    type('Access key ID', 'AK');
    expect((screen.getByLabelText('Secret access key') as HTMLInputElement).type).toBe('password');
    type('Secret access key', 'shh');
    fireEvent.click(screen.getByRole('button', { name: 'Add bucket' }));

    await waitFor(() => expect(onAdded).toHaveBeenCalledWith(bucketSource('family-photos')));
    expect(fake.callsOf('sources.addBucket')).toEqual([
      {
        name: 'family-photos',
        settings: {
          provider: 'r2',
          bucket: 'family-photos',
          prefix: '2024',
          region: 'auto',
          endpoint: 'https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com',
          accessKeyId: 'AK',
          secretAccessKey: 'shh',
        },
      },
    ]);
  });

  it('follows the bucket with the name until the user types one; a bad name shows until it is edited', async () => {
    const fake = installFakeApi({ ...picker, 'sources.addBucket': (i) => bucketSource(i.name) });
    render(<AddSource onAdded={() => undefined} />);
    kind(/^Bucket/);
    const name = () => (screen.getByLabelText('Name') as HTMLInputElement).value;
    type('Bucket', 'photos');
    expect(name()).toBe('photos');
    type('Name', 'my photos');
    type('Bucket', 'photos-2024');
    expect(name()).toBe('my photos');
    type('Account ID', '0123456789abcdef0123456789abcdef');
    type('Access key ID', 'AK');
    type('Secret access key', 'shh');
    fireEvent.click(screen.getByRole('button', { name: 'Add bucket' }));
    expect(await screen.findByText(/^Use /)).toBeTruthy();
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');
    expect(fake.callsOf('sources.addBucket')).toEqual([]);
    type('Name', 'my-photos');
    expect(screen.queryByText(/^Use /)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Add bucket' }));
    await waitFor(() => expect(fake.callsOf('sources.addBucket')).toHaveLength(1));
    expect(fake.callsOf('sources.addBucket')[0]).toMatchObject({ name: 'my-photos' });
  });

  it('adds a bucket on another S3-compatible server and shows what the host refused', async () => {
    const fake = installFakeApi({
      ...picker,
      'sources.addBucket': () => {
        throw new ApiError({
          code: 'exists',
          message: 'a source named minio-primary exists',
          hint: 'pick another name',
        });
      },
    });
    render(<AddSource onAdded={() => undefined} onCancel={() => undefined} />);
    kind(/^Bucket/);
    fireEvent.change(screen.getByLabelText('Provider'), { target: { value: 'other' } });
    expect(screen.getAllByLabelText('Endpoint URL')).toHaveLength(1);
    type('Name', 'minio-primary');
    type('Endpoint URL', 'http://127.0.0.1:9000');
    type('Bucket', 'primary');
    type('Access key ID', 'K');
    type('Secret access key', 'S');
    fireEvent.click(screen.getByRole('button', { name: 'Add bucket' }));

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not add the bucket');
    expect(alert.textContent).toContain('A source named minio-primary exists');
    expect(alert.textContent).toContain('Pick another name');
    // Path style is the preset's default for 'other', so nothing extra is sent.
    expect(fake.callsOf('sources.addBucket')).toEqual([
      {
        name: 'minio-primary',
        settings: {
          provider: 'other',
          bucket: 'primary',
          prefix: '',
          endpoint: 'http://127.0.0.1:9000',
          accessKeyId: 'K',
          secretAccessKey: 'S',
        },
      },
    ]);
  });
});

describe('add source: Google Drive', () => {
  function fillDrive(): void {
    kind(/^Google Drive/);
    type('OAuth client ID', ' 123-abc.apps.googleusercontent.com ');
    type('Client secret', 'GOCSPX-secret');
  }

  it('asks for the OAuth client, explains where it comes from, and starts nothing without it', async () => {
    const fake = installFakeApi({ ...picker });
    render(<AddSource onAdded={() => undefined} />);
    kind(/^Google Drive/);
    expect(screen.getByText('Google Drive: create your OAuth client')).toBeTruthy();
    expect((screen.getByLabelText('Name') as HTMLInputElement).value).toBe('google-drive');
    expect((screen.getByLabelText('Client secret') as HTMLInputElement).type).toBe('password');
    type('Name', 'my drive');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in with Google' }));
    expect(await screen.findByText('Give the OAuth client ID')).toBeTruthy();
    expect(screen.getByText('Give the client secret')).toBeTruthy();
    expect(screen.getByText(/1-63 letters, digits/)).toBeTruthy();
    expect(screen.getByLabelText('OAuth client ID').getAttribute('aria-invalid')).toBe('true');
    expect(fake.calls.filter((c) => c.method.startsWith('sources.'))).toEqual([]);
  });

  it('signs in: opens Google, shows the link and the wait, polls until done, then hands over the source', async () => {
    const open = vi.spyOn(window, 'open').mockImplementation(() => null);
    const answers: DriveSignInStatus[] = [
      { state: 'waiting' },
      { state: 'waiting' },
      { state: 'done', source: driveSource('google-drive') },
    ];
    const fake = installFakeApi({
      ...picker,
      'sources.gdrive.signIn': () => ({ attempt: 'att-1', url: GOOGLE_URL }),
      'sources.gdrive.status': () => answers.shift()!,
    });
    const onAdded = vi.fn();
    render(<AddSource onAdded={onAdded} onCancel={() => undefined} />);
    fillDrive();
    fireEvent.click(screen.getByRole('button', { name: 'Sign in with Google' }));

    expect(await screen.findByText('Waiting for Google…')).toBeTruthy();
    expect(fake.callsOf('sources.gdrive.signIn')).toEqual([
      { name: 'google-drive', clientId: '123-abc.apps.googleusercontent.com', clientSecret: 'GOCSPX-secret' },
    ]);
    expect(open).toHaveBeenCalledWith(GOOGLE_URL, '_blank', 'noopener,noreferrer');
    const link = screen.getByRole('link', { name: 'open this link' });
    expect(link.getAttribute('href')).toBe(GOOGLE_URL);
    expect(link.getAttribute('target')).toBe('_blank');
    expect(screen.getByText(/If no browser tab opened/)).toBeTruthy();
    // The fields wait too, and the only way out is Cancel.
    expect(screen.getByLabelText('OAuth client ID').matches(':disabled')).toBe(true);
    expect(screen.queryByRole('button', { name: 'Sign in with Google' })).toBeNull();
    expect(screen.getAllByRole('button', { name: 'Cancel' })).toHaveLength(1);
    // The first poll waits its interval.
    expect(fake.callsOf('sources.gdrive.status')).toEqual([]);

    await waitFor(() => expect(onAdded).toHaveBeenCalledWith(driveSource('google-drive')), { timeout: 5000 });
    expect(fake.callsOf('sources.gdrive.status')).toEqual([
      { attempt: 'att-1' },
      { attempt: 'att-1' },
      { attempt: 'att-1' },
    ]);
    expect(fake.callsOf('sources.gdrive.cancel')).toEqual([]);
  });

  it("shows Google's failure in the error banner and lets the user try again", async () => {
    vi.spyOn(window, 'open').mockImplementation(() => null);
    const fake = installFakeApi({
      ...picker,
      'sources.gdrive.signIn': () => ({ attempt: 'att-2', url: GOOGLE_URL }),
      'sources.gdrive.status': () => ({
        state: 'failed' as const,
        error: 'Google said access_denied: the sign-in was refused. Sign in again and choose Allow.',
      }),
    });
    render(<AddSource onAdded={() => undefined} />);
    fillDrive();
    fireEvent.click(screen.getByRole('button', { name: 'Sign in with Google' }));

    const alert = await screen.findByRole('alert', {}, { timeout: 3000 });
    expect(alert.className).toContain('banner-err');
    expect(alert.textContent).toContain('Could not connect Google Drive');
    expect(alert.textContent).toContain('Google said access_denied');
    expect(screen.queryByText('Waiting for Google…')).toBeNull();
    expect(screen.getByLabelText('OAuth client ID').matches(':disabled')).toBe(false);
    // Polling stopped with the failure.
    const polls = fake.callsOf('sources.gdrive.status').length;
    await new Promise((r) => setTimeout(r, 900));
    expect(fake.callsOf('sources.gdrive.status')).toHaveLength(polls);

    fireEvent.click(screen.getByRole('button', { name: 'Sign in with Google' }));
    await waitFor(() => expect(fake.callsOf('sources.gdrive.signIn')).toHaveLength(2));
    await waitFor(() => expect(screen.queryByText(/Could not connect Google Drive/)).toBeNull());
  });

  it('shows why the sign-in could not start', async () => {
    const open = vi.spyOn(window, 'open').mockImplementation(() => null);
    installFakeApi({
      ...picker,
      'sources.gdrive.signIn': () => {
        throw new ApiError({ code: 'exists', message: 'a source named google-drive exists' });
      },
    });
    render(<AddSource onAdded={() => undefined} />);
    fillDrive();
    fireEvent.click(screen.getByRole('button', { name: 'Sign in with Google' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not start the sign-in: A source named google-drive exists');
    expect(open).not.toHaveBeenCalled();
  });

  it('cancels a waiting sign-in with Cancel, and when the form goes away', async () => {
    vi.spyOn(window, 'open').mockImplementation(() => null);
    let attempt = 0;
    const fake = installFakeApi({
      ...picker,
      'sources.gdrive.signIn': () => ({ attempt: `att-${++attempt}`, url: GOOGLE_URL }),
      'sources.gdrive.status': () => ({ state: 'waiting' as const }),
      'sources.gdrive.cancel': () => ({ ok: true as const }),
    });
    const { unmount } = render(<AddSource onAdded={() => undefined} />);
    fillDrive();
    fireEvent.click(screen.getByRole('button', { name: 'Sign in with Google' }));
    await screen.findByText('Waiting for Google…');
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(fake.callsOf('sources.gdrive.cancel')).toEqual([{ attempt: 'att-1' }]));
    expect(screen.queryByText('Waiting for Google…')).toBeNull();
    expect(screen.getByRole('button', { name: 'Sign in with Google' })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Sign in with Google' }));
    await screen.findByText('Waiting for Google…');
    // Switching to another kind unmounts the Drive form: the attempt is cancelled, not left listening.
    kind(/^Folder/);
    await waitFor(() =>
      expect(fake.callsOf('sources.gdrive.cancel')).toEqual([{ attempt: 'att-1' }, { attempt: 'att-2' }]),
    );
    unmount();
    const polls = fake.callsOf('sources.gdrive.status').length;
    await new Promise((r) => setTimeout(r, 900));
    expect(fake.callsOf('sources.gdrive.status')).toHaveLength(polls);
    expect(within(document.body).queryByText('Waiting for Google…')).toBeNull();
  });
});
