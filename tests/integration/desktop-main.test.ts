/**
 * The bundled desktop main process (dist/desktop/main.mjs) run under Node with a stand-in
 * Electron (tests/support/fake-electron): Electron's binary cannot run on the build machines, so
 * this proves the composition itself: the window's security settings, the app:// pages with
 * their CSP, IPC calls on the same service (and refused from foreign pages), secrets sealed by
 * safeStorage, the tray's Back up now, hide-on-close, single instance, window state and a quit
 * that stops the service first. The real Electron run is tests/e2e/desktop.test.ts.
 */
import Database from 'better-sqlite3';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unreachableS3 } from '../support/api-fixtures.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(root, 'dist/desktop/main.mjs');
const REGISTER = join(root, 'tests/support/fake-electron/register.mjs');
const PAGE = 'app://strata/index.html';

interface FakeState {
  privileged: { scheme: string; privileges: Record<string, boolean> }[];
  protocols: string[];
  ipcChannels: string[];
  permissionHandler: boolean;
  windows: {
    options: { webPreferences: Record<string, unknown>; width: number; height: number; x?: number; y?: number };
    visible: boolean;
    destroyed: boolean;
    url: string | null;
    sent: string[];
  }[];
  tray: { image: string; tooltip: string; menu: { id: string; label: string; enabled: boolean; type: string }[] };
  notifications: { title: string; body: string }[];
  opened: string[];
}

class FakeElectronApp {
  private next = 1;
  private waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  readonly exited: Promise<number | null>;
  output = '';
  exitMessage: number | null = null;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.on('message', (msg: { id?: number; result?: unknown; error?: string; type?: string; code?: number }) => {
      if (msg.type === 'exit') this.exitMessage = msg.code ?? null;
      if (msg.id === undefined) return;
      const w = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      if (msg.error) w?.reject(new Error(msg.error));
      else w?.resolve(msg.result);
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  send<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    if ('id' in args || 'cmd' in args) throw new Error('id and cmd name the request itself');
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, ...args });
    });
  }

  state(): Promise<FakeState> {
    return this.send<FakeState>('state');
  }

  async call<T>(method: string, input: unknown = {}, url = PAGE): Promise<T> {
    const reply = await this.send<{ ok: boolean; result?: T; error?: { message: string } }>('ipc', {
      url,
      method,
      input,
    });
    if (!reply.ok) throw new Error(reply.error?.message);
    return reply.result as T;
  }
}

function launch(home: string, userData: string, env: Record<string, string> = {}): FakeElectronApp {
  const child = fork(MAIN, [], {
    execArgv: ['--import', REGISTER],
    env: { ...process.env, STRATA_HOME: home, FAKE_ELECTRON_USER_DATA: userData, STRATA_PASSPHRASE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return new FakeElectronApp(child);
}

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await what();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last value: ${JSON.stringify(v).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!existsSync(MAIN))('the desktop main process (stand-in Electron)', () => {
  let home: string;
  let userData: string;
  let files: string;
  let target: string;
  let app: FakeElectronApp;

  beforeAll(async () => {
    const base = await mkdtemp(join(tmpdir(), 'strata-desktop-main-'));
    home = join(base, 'home');
    userData = join(base, 'user-data');
    files = join(base, 'files');
    target = join(base, 'nas');
    await mkdir(join(files, 'docs'), { recursive: true });
    await mkdir(userData, { recursive: true });
    await writeFile(join(files, 'docs', 'a.txt'), 'alpha');
    await writeFile(join(files, 'docs', 'b.txt'), 'bravo');
    app = launch(home, userData);
    await until(
      () => app.state(),
      (s) => s.windows.some((w) => w.visible),
    );
  }, 60_000);

  afterAll(async () => {
    if (app.child.exitCode === null) app.child.kill();
  });

  it('opens one sandboxed, isolated window on the app:// scheme', async () => {
    const s = await app.state();
    expect(s.windows).toHaveLength(1);
    const [win] = s.windows;
    expect(win!.url).toBe(PAGE);
    expect(win!.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(String(win!.options.webPreferences.preload)).toMatch(/preload\.cjs$/);
    expect(existsSync(String(win!.options.webPreferences.preload))).toBe(true);
    expect(s.privileged).toEqual([expect.objectContaining({ scheme: 'app' })]);
    expect(s.ipcChannels).toEqual(['strata:call']);
    expect(s.permissionHandler).toBe(true);
    expect(await app.send('permission', { permission: 'media' })).toBe(false);
  });

  it('serves the renderer with its CSP and never a file outside it', async () => {
    const index = await app.send<{ status: number; csp: string; body: string }>('fetch', { url: PAGE });
    expect(index.status).toBe(200);
    expect(index.body).toMatch(/<!doctype html>/i);
    expect(index.csp).toContain("default-src 'self'");
    expect(index.csp).toContain("object-src 'none'");
    const escape = await app.send<{ body: string }>('fetch', { url: 'app://strata/..%2F..%2Fpackage.json' });
    expect(escape.body).not.toContain('"name"');
    expect(escape.body).toMatch(/<!doctype html>/i);
  });

  it('keeps navigation inside the app and sends web links to the browser', async () => {
    expect(await app.send('navigate', { url: 'https://evil.example/' })).toEqual({ prevented: true });
    expect(await app.send('navigate', { url: 'app://strata/index.html#/activity' })).toEqual({ prevented: false });
    expect(await app.send('windowOpen', { url: 'https://github.com/' })).toEqual({ action: 'deny' });
    expect(await app.send('windowOpen', { url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    const s = await app.state();
    expect(s.opened).toEqual(['https://github.com/']);
  });

  it('answers the typed API over IPC, validating input, and refuses other pages', async () => {
    const info = await app.call<{ host: string }>('app.info');
    expect(info.host).toBe('desktop');
    await expect(app.call('sources.add', { name: 'files', path: 'relative/path' })).rejects.toThrow();
    await expect(app.call('app.info', {}, 'https://evil.example/')).rejects.toThrow(/Strata’s own pages/);
  });

  it('seals secrets with safeStorage: ciphertext in SQLite, status says so', async () => {
    const status = await app.call<{ store: string; locked: boolean }>('secrets.status');
    expect(status).toMatchObject({ locked: false });
    expect(status.store).toMatch(/keyring/);
    await app.call('destinations.add', {
      name: 'cloud',
      settings: unreachableS3('plain-secret-value'),
    });
    const [dbFile] = (await readdir(home)).filter((f) => f.endsWith('.db'));
    const db = new Database(join(home, dbFile!), { readonly: true });
    const rows = db.prepare('SELECT * FROM sealed_secrets').all() as Record<string, unknown>[];
    db.close();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain('plain-secret-value');
    const raw = readFileSync(join(home, dbFile!));
    expect(raw.includes(Buffer.from('plain-secret-value'))).toBe(false);
    await app.call('destinations.remove', { name: 'cloud' });
  });

  it('backs up from the tray and reports it in the menu, tooltip and window', async () => {
    await app.call('sources.add', { name: 'files', path: files });
    await app.call('destinations.add', { name: 'nas', settings: { kind: 'local', path: target } });
    await app.call('policies.select', { source: 'files', path: 'docs', destination: 'nas', include: true });
    const before = await until(
      () => app.state(),
      (s) => s.tray.menu.some((m) => m.id === 'backup-now' && m.enabled),
    );
    expect(before.tray.menu.map((m) => m.id)).toContain('pause-schedules');
    expect(before.tray.image).toMatch(/tray-idle\.png$/);
    await app.send('trayClick', { item: 'backup-now' });
    const after = await until(
      () => app.state(),
      (s) => s.windows[0]!.sent.includes('run.finished') && /nas/.test(s.tray.menu.map((m) => m.label).join('\n')),
    );
    expect(after.tray.image).toMatch(/tray-idle\.png$/);
    expect(after.tray.tooltip).toMatch(/Strata/);
    expect(after.tray.menu.map((m) => m.label).join('\n')).toMatch(/nas/);
    expect(after.windows[0]!.sent).toEqual(expect.arrayContaining(['run.started', 'run.finished', 'changed']));
    const dash = await app.call<{ destinations: { name: string; lastStatus: string; filesStored: number }[] }>(
      'dashboard.get',
    );
    expect(dash.destinations.find((d) => d.name === 'nas')).toMatchObject({ lastStatus: 'ok', filesStored: 2 });
    // The files reached the destination.
    const snapshots = await app.call<unknown[]>('snapshots.list', { destination: 'nas' });
    expect(snapshots).toHaveLength(1);
  });

  it('pauses and resumes schedules from the tray', async () => {
    await app.send('trayClick', { item: 'pause-schedules' });
    let s = await until(
      () => app.state(),
      (st) => st.tray.menu.some((m) => m.id === 'resume-schedules'),
    );
    expect(s.tray.image).toMatch(/tray-paused\.png$/);
    expect(await app.call<{ schedulesPaused: boolean }>('settings.get')).toMatchObject({ schedulesPaused: true });
    await app.send('trayClick', { item: 'resume-schedules' });
    s = await until(
      () => app.state(),
      (st) => st.tray.menu.some((m) => m.id === 'pause-schedules'),
    );
    expect(s.tray.image).toMatch(/tray-idle\.png$/);
  });

  it('hides to the tray on close and comes back on a second launch', async () => {
    expect(await app.send('closeWindow')).toEqual({ prevented: true });
    let s = await app.state();
    expect(s.windows[0]!.visible).toBe(false);
    await app.send('secondInstance');
    s = await app.state();
    expect(s.windows).toHaveLength(1);
    expect(s.windows[0]!.visible).toBe(true);
  });

  it('remembers the window size and position', async () => {
    await app.send('resize', { bounds: { x: 100, y: 80, width: 1111, height: 777 } });
    await until(
      async () =>
        existsSync(join(userData, 'window-state.json'))
          ? readFileSync(join(userData, 'window-state.json'), 'utf8')
          : '',
      (text) => text.includes('1111'),
    );
  });

  it('quits from the tray only after the service has stopped, with exit code 0', async () => {
    await app.send('trayClick', { item: 'quit' });
    expect(await app.exited).toBe(0);
    expect(app.exitMessage).toBe(0);
  });

  it('starts again with the remembered window and the sealed secrets readable', async () => {
    const again = launch(home, userData);
    try {
      const s = await until(
        () => again.state(),
        (st) => st.windows.some((w) => w.visible),
      );
      expect(s.windows[0]!.options).toMatchObject({ x: 100, y: 80, width: 1111, height: 777 });
      const dests = await again.call<{ name: string }[]>('destinations.list');
      expect(dests.map((d) => d.name)).toEqual(['nas']);
    } finally {
      await again.send('quit');
      await again.exited;
    }
  });

  it('a second instance hands over and exits at once', async () => {
    const second = launch(home, userData, { FAKE_ELECTRON_SECOND_INSTANCE: '1' });
    expect(await second.exited).toBe(0);
  });

  it('without OS encryption falls back to the passphrase vault and says so', async () => {
    const base = await mkdtemp(join(tmpdir(), 'strata-desktop-noenc-'));
    const plain = launch(join(base, 'home'), base, { FAKE_ELECTRON_NO_ENCRYPTION: '1' });
    try {
      await until(
        () => plain.state(),
        (st) => st.windows.some((w) => w.visible),
      );
      const status = await plain.call<{ store: string; locked: boolean; message?: string }>('secrets.status');
      expect(status.locked).toBe(true);
      expect(status.store).toMatch(/vault/);
      expect(status.message).toMatch(/cannot encrypt secrets here/);
    } finally {
      await plain.send('quit');
      await plain.exited;
    }
  });
});
