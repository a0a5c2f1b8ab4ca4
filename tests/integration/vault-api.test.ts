/**
 * Vault destinations through the API service (in process, real engine, the passphrase secret store
 * in the data folder): adding a vault needs a passphrase, joining one with a wrong passphrase adds
 * nothing and says what to do, the layout is shown and cannot be edited away, a passphrase change
 * re-wraps the key (the old one no longer opens it) and a mirror has none to change. No passphrase
 * ever appears in an answer, an event or any byte of the data folder.
 */
import { waitForRunOk } from '../support/host-runs.js';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodName, OutputOf } from '../../shared/api/contract.js';
import type { ApiErrorBody } from '../../shared/api/entities.js';
import { Engine } from '../../electron/engine/engine.js';
import { StrataService } from '../../electron/engine/service.js';
import { LocalDestination } from '../../electron/engine/destinations/local-destination.js';
import { ensureRepoConfig } from '../../electron/engine/repository/repo-config.js';
import { cliEnv } from '../support/cli.js';
import { put } from '../support/tree.js';

const FIRST = 'first-PASSPHRASE-never-stored-4711';
const WRONG = 'wrong-PASSPHRASE-never-stored-0815';
const SECOND = 'second-PASSPHRASE-never-stored-9001';

describe('vault destinations through the API', () => {
  let work: string;
  let home: string;
  let engine: Engine;
  let service: StrataService;
  /** Every answer and event, to check no passphrase is in any of them. */
  const seen: string[] = [];

  async function call<M extends MethodName>(method: M, input: unknown = {}): Promise<OutputOf<M>> {
    const reply = await service.handle(method, input);
    seen.push(JSON.stringify(reply));
    if (!reply.ok) throw new Error(`${method}: ${reply.error.message}`);
    return reply.result as OutputOf<M>;
  }

  async function refused(method: MethodName, input: unknown): Promise<ApiErrorBody> {
    const reply = await service.handle(method, input);
    seen.push(JSON.stringify(reply));
    if (reply.ok) throw new Error(`${method} was accepted`);
    return reply.error;
  }

  const names = async () => (await call('destinations.list')).map((d) => d.name).sort();

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-vault-api-'));
    home = join(work, 'home');
    await put(join(work, 'src'), 'notes.txt', 'notes\n');
    engine = Engine.open({ home, env: cliEnv({ home }), vaultKdf: { unsafeFastKdfForTests: { N: 1024 } } });
    service = new StrataService(engine, { host: 'headless', statusIntervalMs: 50 });
    service.subscribe((event, data) => seen.push(JSON.stringify({ event, data })));
    await call('sources.add', { name: 'src', path: join(work, 'src') });
    await call('destinations.add', { name: 'plain', settings: { kind: 'local', path: join(work, 'plain') } });
  });

  afterAll(async () => {
    engine?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('adds a vault with its passphrase and shows the layout of every destination', async () => {
    const noPass = await refused('destinations.add', {
      name: 'safe',
      settings: { kind: 'local', path: join(work, 'vault'), layout: 'vault' },
    });
    expect(noPass).toMatchObject({ code: 'usage', message: 'a vault needs a passphrase' });
    const mirrorPass = await refused('destinations.add', {
      name: 'safe',
      settings: { kind: 'local', path: join(work, 'vault'), repoPassphrase: FIRST },
    });
    expect(mirrorPass.message).toMatch(/passphrase was given for a mirror/);
    expect(await names()).toEqual(['plain']);

    const info = await call('destinations.add', {
      name: 'safe',
      settings: { kind: 'local', path: join(work, 'vault'), layout: 'vault', repoPassphrase: FIRST },
    });
    expect(info.settings).toEqual({ kind: 'local', path: join(work, 'vault'), layout: 'vault' });
    const list = await call('destinations.list');
    expect(Object.fromEntries(list.map((d) => [d.name, d.settings.layout]))).toEqual({
      plain: 'mirror',
      safe: 'vault',
    });
    // The vault was really created: its config is at the top of the folder.
    const config = JSON.parse(await readFile(join(work, 'vault', 'strata.json'), 'utf8')) as { layout: string };
    expect(config.layout).toBe('vault');
  });

  it('refuses to join an existing vault with a wrong passphrase, adding nothing, and joins with the right one', async () => {
    const wrong = await refused('destinations.add', {
      name: 'again',
      settings: { kind: 'local', path: join(work, 'vault'), layout: 'vault', repoPassphrase: WRONG },
    });
    expect(wrong.code).toBe('auth');
    expect(wrong.message).toMatch(/wrong passphrase for the vault/);
    expect(wrong.hint).toBeTruthy();
    expect(await names()).toEqual(['plain', 'safe']);

    await call('destinations.add', {
      name: 'again',
      settings: { kind: 'local', path: join(work, 'vault'), layout: 'vault', repoPassphrase: FIRST },
    });
    expect(await names()).toEqual(['again', 'plain', 'safe']);
    await call('destinations.remove', { name: 'again' });
  });

  it('keeps the layout on edits and refuses a draft that changes it or carries a passphrase', async () => {
    const changed = await refused('destinations.update', {
      name: 'safe',
      settings: { kind: 'local', path: join(work, 'vault'), layout: 'mirror' },
    });
    expect(changed).toMatchObject({ code: 'usage' });
    expect(changed.message).toBe("'safe' is a vault destination: the layout cannot be changed after it is added");
    const toVault = await refused('destinations.update', {
      name: 'plain',
      settings: { kind: 'local', path: join(work, 'plain'), layout: 'vault' },
    });
    expect(toVault.message).toMatch(/'plain' is a mirror destination/);
    const withPass = await refused('destinations.update', {
      name: 'safe',
      settings: { kind: 'local', path: join(work, 'vault'), repoPassphrase: SECOND },
    });
    expect(withPass.hint).toBe('use Change passphrase');

    // The editor sends the connection settings only; the vault stays a vault.
    const kept = await call('destinations.update', {
      name: 'safe',
      settings: { kind: 'local', path: join(work, 'vault') },
    });
    expect(kept.settings.layout).toBe('vault');
    const same = await call('destinations.update', {
      name: 'safe',
      settings: { kind: 'local', path: join(work, 'vault'), layout: 'vault' },
    });
    expect(same.settings.layout).toBe('vault');
  });

  it('backs up into the vault and reads the snapshot back', async () => {
    await call('policies.select', { source: 'src', path: '', destination: 'safe', include: true });
    const { runId } = await call('runs.start', { destinations: ['safe'] });
    // Over once the host has let go of it too: the next test changes the passphrase, which a
    // running backup forbids.
    await waitForRunOk(
      (m, i) => call(m as MethodName, i),
      (runs) => runs.find((r) => r.id === runId),
    );
    expect(await call('snapshots.list', { destination: 'safe' })).toHaveLength(1);
  });

  it('changes a vault passphrase (the old one no longer opens it) and a mirror refuses', async () => {
    await call('destinations.changePassphrase', { name: 'safe', passphrase: SECOND });
    // Still readable with the saved (new) passphrase.
    expect(await call('snapshots.list', { destination: 'safe' })).toHaveLength(1);
    const old = await refused('destinations.add', {
      name: 'joiner',
      settings: { kind: 'local', path: join(work, 'vault'), layout: 'vault', repoPassphrase: FIRST },
    });
    expect(old.code).toBe('auth');
    await call('destinations.add', {
      name: 'joiner',
      settings: { kind: 'local', path: join(work, 'vault'), layout: 'vault', repoPassphrase: SECOND },
    });
    expect(await call('snapshots.list', { destination: 'joiner' })).toHaveLength(1);

    const mirror = await refused('destinations.changePassphrase', { name: 'plain', passphrase: SECOND });
    expect(mirror).toMatchObject({ code: 'usage', message: "'plain' is a mirror destination: it has no passphrase" });
    const empty = await refused('destinations.changePassphrase', { name: 'safe', passphrase: '' });
    expect(empty).toMatchObject({ code: 'usage', field: 'passphrase' });
  });

  it('tests a draft against what the place holds: layout and passphrase, before anything is saved', async () => {
    const vault = { kind: 'local', path: join(work, 'vault') };
    const test = (settings: Record<string, unknown>) => call('destinations.test', { settings });
    const repo = (r: OutputOf<'destinations.test'>) => r.steps.find((s) => s.step === 'repository');
    const wrong = await test({ ...vault, layout: 'vault', repoPassphrase: WRONG });
    expect(wrong.ok).toBe(false);
    expect(repo(wrong)).toMatchObject({ ok: false, error: expect.stringMatching(/wrong passphrase/) });
    expect(wrong.summary).toMatch(/^Failed at checking what it holds: .*wrong passphrase/);
    const right = await test({ ...vault, layout: 'vault', repoPassphrase: SECOND });
    expect(right.ok).toBe(true);
    expect(repo(right)).toMatchObject({ ok: true });
    const none = await test({ ...vault, layout: 'vault' });
    expect(repo(none)).toMatchObject({ ok: false, error: expect.stringMatching(/enter its passphrase to join it/) });
    const asMirror = await test({ ...vault });
    expect(repo(asMirror)).toMatchObject({
      ok: false,
      error: expect.stringMatching(/holds a vault: choose the Vault layout/),
    });
    // A mirror repository (written by its first backup).
    await ensureRepoConfig(new LocalDestination(join(work, 'plain')), 'mirror');
    const mirrorAsVault = await test({
      kind: 'local',
      path: join(work, 'plain'),
      layout: 'vault',
      repoPassphrase: FIRST,
    });
    expect(repo(mirrorAsVault)).toMatchObject({ ok: false, error: expect.stringMatching(/holds a mirror repository/) });
    const fresh = await test({
      kind: 'local',
      path: join(work, 'fresh-vault'),
      layout: 'vault',
      repoPassphrase: FIRST,
    });
    expect(fresh.ok).toBe(true);
    // Nothing was saved or created by a test.
    expect(await names()).not.toContain('fresh-vault');
    expect(await readdir(join(work, 'fresh-vault'))).not.toContain('strata.json');
    // Editing a saved vault's settings tests with its saved passphrase.
    const edited = await call('destinations.test', { name: 'safe', settings: vault });
    expect(repo(edited)).toMatchObject({ ok: true });
  }, 60_000);

  it('never shows or stores a passphrase: not in answers or events, not in any file of the data folder', async () => {
    const everything = seen.join('\n');
    for (const p of [FIRST, WRONG, SECOND]) expect(everything).not.toContain(p);
    const files = (await readdir(home, { withFileTypes: true, recursive: true })).filter((e) => e.isFile());
    expect(files.map((f) => f.name)).toEqual(expect.arrayContaining(['strata.db', 'secrets.vault']));
    for (const f of files) {
      const bytes = await readFile(join(f.parentPath, f.name));
      for (const p of [FIRST, WRONG, SECOND]) {
        expect(bytes.includes(Buffer.from(p)), `${f.name} holds a passphrase`).toBe(false);
        expect(bytes.includes(Buffer.from(p, 'utf16le')), `${f.name} holds a passphrase`).toBe(false);
      }
    }
  });
});
