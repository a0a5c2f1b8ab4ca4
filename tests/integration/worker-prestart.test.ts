/**
 * When a backup starts its worker threads early: a first backup of a local source into a vault
 * (which sends every file) starts them while the vault opens; a later run, and a source sent only
 * to a mirror, leave them to the first file that needs them (a run that finds nothing changed
 * starts none).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WorkerPools } from '../../electron/engine/backup/worker-pools.js';
import { Engine } from '../../electron/engine/engine.js';
import { cliEnv } from '../support/cli.js';
import { put, treeState } from '../support/tree.js';

const FAST = { vaultKdf: { unsafeFastKdfForTests: { N: 1024 } } };

describe('worker threads started early', () => {
  let work: string;
  let engine: Engine;
  const prestart = vi.spyOn(WorkerPools.prototype, 'prestart');

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-prestart-'));
    for (let i = 0; i < 5; i++) await put(join(work, 'docs'), `f${i}.txt`, `file ${i}\n`);
    await put(join(work, 'music'), 'song.txt', 'la la\n');
    const home = join(work, 'home');
    engine = Engine.open({ home, env: cliEnv({ home }), ...FAST });
    await engine.addLocalSource('docs', join(work, 'docs'));
    await engine.addLocalSource('music', join(work, 'music'));
    await engine.addLocalDestination('vault', join(work, 'vault'), { passphrase: 'pass phrase' });
    await engine.addLocalDestination('mirror', join(work, 'mirror'));
    engine.setPolicy('docs', '', ['vault']);
    engine.setPolicy('music', '', ['mirror']);
  });

  afterAll(async () => {
    engine?.close();
    prestart.mockRestore();
    await rm(work, { recursive: true, force: true });
  });

  it('for the first backup into a vault only', async () => {
    prestart.mockClear();
    expect((await engine.backup({ sources: ['docs'] })).status).toBe('ok');
    expect(prestart).toHaveBeenCalledTimes(1);

    prestart.mockClear();
    expect((await engine.backup({ sources: ['docs'] })).status).toBe('ok');
    expect(prestart).not.toHaveBeenCalled();

    prestart.mockClear();
    expect((await engine.backup({ sources: ['music'] })).status).toBe('ok');
    expect(prestart).not.toHaveBeenCalled();

    const to = join(work, 'restored');
    await engine.restore({ dest: 'vault', snapshot: 'latest', source: 'docs', to });
    expect([...(await treeState(to)).keys()].filter((p) => p.endsWith('.txt'))).toHaveLength(5);
  });
});
