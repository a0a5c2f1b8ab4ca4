/**
 * `strata serve` started without a terminal or STRATA_PASSPHRASE: the vault is locked, the UI's
 * unlock call opens it (creating it the first time), and a wrong passphrase is a clear error.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unreachableS3 } from '../support/api-fixtures.js';
import { startServe } from '../support/serve-host.js';

const s3Settings = unreachableS3();

describe('the secret vault through the API', () => {
  it('is created, locked again after a restart, refuses a wrong passphrase and opens with the right one', async () => {
    const home = await mkdtemp(join(tmpdir(), 'strata-unlock-'));
    const env = { STRATA_PASSPHRASE: '', STRATA_SECRET_STORE: 'vault' };
    let host = await startServe(home, env);
    expect(await host.call('secrets.status')).toMatchObject({ locked: true, creating: true });
    await expect(host.call('destinations.add', { name: 'cloud', settings: s3Settings })).rejects.toThrow(
      /no passphrase for the secret vault/,
    );
    expect(await host.call('secrets.unlock', { passphrase: 'correct horse' })).toMatchObject({ locked: false });
    await host.call('destinations.add', { name: 'cloud', settings: s3Settings });
    await host.stop();

    host = await startServe(home, env);
    expect(await host.call('secrets.status')).toMatchObject({ locked: true, creating: false });
    const wrong = await fetch(`${host.origin}/api/call/secrets.unlock`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ passphrase: 'battery staple' }),
    });
    const body = (await wrong.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(body).toMatchObject({ ok: false, error: { code: 'passphrase' } });
    expect(await host.call('secrets.status')).toMatchObject({ locked: true });
    await host.call('secrets.unlock', { passphrase: 'correct horse' });
    const [dest] = await host.call<{ secretSaved: boolean }[]>('destinations.list');
    expect(dest!.secretSaved).toBe(true);
    expect(host.output()).not.toContain('correct horse');
    await host.stop();
  });
});
