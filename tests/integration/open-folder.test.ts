/** 'Open folder' after a restore: the desktop app's file manager, folders only, refused headless. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { MemoryStore } from '../../electron/engine/secrets/memory-store.js';
import { StrataService } from '../../electron/engine/service.js';

describe('app.openFolder', () => {
  let work: string;
  let engine: Engine;
  const opened: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-open-folder-'));
    engine = Engine.open({ home: join(work, 'home'), secrets: new MemoryStore() });
    await writeFile(join(work, 'program.sh'), '#!/bin/sh\n');
  });

  afterAll(() => engine?.close());

  it('opens a folder through the desktop app, and never a file (a file could be a program)', async () => {
    const desktop = new StrataService(engine, {
      host: 'desktop',
      openFolder: (p) => {
        opened.push(p);
        return Promise.resolve();
      },
    });
    expect(await desktop.handle('app.openFolder', { path: work })).toEqual({ ok: true, result: { ok: true } });
    expect(await desktop.handle('app.openFolder', { path: join(work, 'program.sh') })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await desktop.handle('app.openFolder', { path: join(work, 'nope') })).toMatchObject({ ok: false });
    expect(opened).toEqual([work]);
  });

  it('is refused by the headless host with what to do instead', async () => {
    const headless = new StrataService(engine, { host: 'headless' });
    expect(await headless.handle('app.openFolder', { path: work })).toMatchObject({
      ok: false,
      error: { code: 'usage', message: 'only the desktop app can open a folder' },
    });
  });
});
