/**
 * Both hosts are wired to every method of the contract, and the desktop preload exposes only the
 * typed bridge: checked without Electron (the preload bundle runs in a VM with a stand-in
 * 'electron' module; ipcMain is a fake).
 */
import { build } from 'esbuild';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_NAMES, METHOD_NAMES } from '../../shared/api/contract.js';
import { wireIpc, type IpcEventLike } from '../../electron/app/ipc-bridge.js';
import { CALL_CHANNEL, EVENT_CHANNEL } from '../../electron/app/channels.js';
import { Engine } from '../../electron/engine/engine.js';
import { MemoryStore } from '../../electron/engine/secrets/memory-store.js';
import { StrataService, type Reply } from '../../electron/engine/service.js';
import { startHost, type RunningHost } from '../../electron/server/host/http-host.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const notWired = (r: Reply): boolean => !r.ok && /^no API method/.test(r.error.message);

describe('the two hosts and the contract', () => {
  let engine: Engine;
  let service: StrataService;
  let host: RunningHost;

  beforeAll(async () => {
    const home = await mkdtemp(join(tmpdir(), 'strata-bridge-'));
    engine = Engine.open({ home, secrets: new MemoryStore() });
    service = new StrataService(engine, { host: 'desktop' });
    host = await startHost({ service, staticDir: home });
  });
  afterAll(async () => {
    await host.close();
    engine.close();
  });

  it('answers every contract method over HTTP (a bad input is a typed error, never "no such method")', async () => {
    expect(METHOD_NAMES.length).toBeGreaterThan(20);
    for (const method of METHOD_NAMES) {
      const res = await fetch(`http://127.0.0.1:${host.port}/api/call/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ surely: 'not valid' }),
      });
      const reply = (await res.json()) as Reply;
      expect(notWired(reply), method).toBe(false);
      expect(reply.ok, method).toBe(false);
    }
  });

  it('answers every contract method over IPC, from trusted pages only, and forwards every event', async () => {
    const handlers = new Map<string, (e: IpcEventLike, ...a: unknown[]) => unknown>();
    const sent: [string, string, unknown][] = [];
    const unwire = wireIpc(
      { handle: (c, fn) => handlers.set(c, fn), removeHandler: (c) => handlers.delete(c) },
      service,
      { isTrustedUrl: (u) => u.startsWith('app://strata/'), send: (c, e, d) => sent.push([c, e, d]) },
    );
    const call = handlers.get(CALL_CHANNEL)!;
    const page = { senderFrame: { url: 'app://strata/index.html' } };
    for (const method of METHOD_NAMES) {
      const reply = (await call(page, method, { surely: 'not valid' })) as Reply;
      expect(notWired(reply), method).toBe(false);
    }
    const info = (await call(page, 'app.info', {})) as Reply;
    expect(info).toMatchObject({ ok: true, result: { host: 'desktop' } });
    const stranger = (await call({ senderFrame: { url: 'https://evil.example/' } }, 'app.info', {})) as Reply;
    expect(stranger).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(notWired((await call(page, 'nothing.here', {})) as Reply)).toBe(true);
    await call(page, 'settings.set', { theme: 'dark' });
    expect(sent).toContainEqual([EVENT_CHANNEL, 'changed', { topics: ['settings'] }]);
    unwire();
    expect(handlers.size).toBe(0);
  });
});

describe('the preload', () => {
  let exposed: Record<string, unknown>;
  const invoked: unknown[][] = [];
  const listeners = new Map<string, (...a: unknown[]) => void>();

  beforeAll(async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'strata-preload-')), 'preload.cjs');
    await build({
      absWorkingDir: root,
      entryPoints: ['electron/app/preload.ts'],
      outfile: out,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      external: ['electron'],
      logLevel: 'silent',
    });
    const code = await readFile(out, 'utf8');
    exposed = {};
    const fakeElectron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
      ipcRenderer: {
        invoke: async (...a: unknown[]) => {
          invoked.push(a);
          return { ok: true, result: null };
        },
        on: (c: string, fn: (...a: unknown[]) => void) => listeners.set(c, fn),
        removeListener: (c: string) => listeners.delete(c),
      },
    };
    // A sandboxed preload's require knows only 'electron'; anything else would throw here.
    const sandboxRequire = (id: string): unknown => {
      if (id === 'electron') return fakeElectron;
      throw new Error(`the preload required '${id}'`);
    };
    const module = { exports: {} };
    vm.runInNewContext(code, { require: sandboxRequire, module, exports: module.exports, console });
  });

  it('exposes exactly call and subscribe on window.strataBridge, and nothing of Node or ipcRenderer', () => {
    expect(Object.keys(exposed)).toEqual(['strataBridge']);
    const bridge = exposed.strataBridge as Record<string, unknown>;
    expect(Object.keys(bridge).sort()).toEqual(['call', 'subscribe']);
    expect(JSON.stringify(Object.values(bridge).map((f) => typeof f))).toBe('["function","function"]');
  });

  it('forwards contract methods and refuses any other name before IPC', async () => {
    const bridge = exposed.strataBridge as { call(m: unknown, i: unknown): Promise<Reply> };
    for (const m of METHOD_NAMES) await bridge.call(m, {});
    expect(invoked.map((a) => a[1])).toEqual(METHOD_NAMES);
    expect(invoked.every((a) => a[0] === CALL_CHANNEL)).toBe(true);
    invoked.length = 0;
    const refused = await bridge.call('shell.openExternal', {});
    expect(refused).toMatchObject({ ok: false, error: { code: 'not-found' } });
    await bridge.call({ toString: () => 'app.info' }, {});
    expect(invoked).toEqual([]);
  });

  it('delivers only contract events to the page, and unsubscribes', () => {
    const bridge = exposed.strataBridge as { subscribe(fn: (e: string, d: unknown) => void): () => void };
    const got: string[] = [];
    const off = bridge.subscribe((e) => got.push(e));
    const handler = listeners.get(EVENT_CHANNEL)!;
    for (const e of EVENT_NAMES) handler({}, e, {});
    handler({}, 'secret.leak', {});
    expect(got).toEqual(EVENT_NAMES);
    off();
    expect(listeners.has(EVENT_CHANNEL)).toBe(false);
  });
});
