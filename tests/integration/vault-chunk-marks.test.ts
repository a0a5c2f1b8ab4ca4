/**
 * A backup into a vault checks this machine's chunk lists against the vault's index at its start
 * (VaultChunkStore.reconcile), unless nothing changed since they were last known to agree. A
 * backup that stored files leaves them marked as agreeing with the index it wrote, so the next run
 * skips the check (it cost ~10 µs a file at every start after a backup that added files); an index
 * file from another machine, or a run that never finished, makes the next run check again.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { VaultChunkStore } from '../../electron/engine/store/vault-chunk-store.js';
import { cliEnv } from '../support/cli.js';
import { tempDirs } from '../support/temp-dirs.js';
import { put, treeState } from '../support/tree.js';

const FAST = { vaultKdf: { unsafeFastKdfForTests: { N: 1024 } } };
const PASS = 'marks passphrase';
const temp = tempDirs('strata-chunk-marks-');

describe('vault chunk lists checked only when the index changed', () => {
  let work: string;
  let vault: string;
  let a: Engine;
  let b: Engine;

  beforeAll(async () => {
    work = await temp();
    vault = join(work, 'vault');
    for (let i = 0; i < 30; i++) await put(join(work, 'src-a'), `f${i}.txt`, `file ${i} of machine a\n`.repeat(50));
    await put(join(work, 'src-b'), 'other.txt', 'a file only machine b has\n');
    a = Engine.open({ home: join(work, 'home-a'), env: cliEnv({ home: join(work, 'home-a') }), ...FAST });
    await a.addLocalSource('docs', join(work, 'src-a'));
    await a.addLocalDestination('vault', vault, { passphrase: PASS });
    a.setPolicy('docs', '', ['vault']);
    b = Engine.open({ home: join(work, 'home-b'), env: cliEnv({ home: join(work, 'home-b') }), ...FAST });
    await b.addLocalSource('other', join(work, 'src-b'));
    await b.addLocalDestination('vault', vault, { passphrase: PASS });
    b.setPolicy('other', '', ['vault']);
  }, 60_000);

  afterAll(async () => {
    vi.restoreAllMocks();
    a?.close();
    b?.close();
  });

  it('skips the check after its own backup, checks again after another machine wrote to the vault', async () => {
    const checks = vi.spyOn(VaultChunkStore.prototype, 'forgetMissing');
    const first = await a.backup({});
    expect(first.results[0]).toMatchObject({ status: 'ok', filesUploaded: 30 });

    // Nothing changed anywhere: the lists agree with the index the first run left.
    checks.mockClear();
    const unchanged = await a.backup({});
    expect(unchanged.results[0]).toMatchObject({ status: 'ok', filesUploaded: 0 });
    expect(checks).not.toHaveBeenCalled();

    // Another machine stores an index file of its own: the next run here checks against it.
    expect((await b.backup({})).results[0]).toMatchObject({ status: 'ok', filesUploaded: 1 });
    checks.mockClear();
    const after = await a.backup({});
    expect(after.results[0]).toMatchObject({ status: 'ok', filesUploaded: 0 });
    expect(checks).toHaveBeenCalledTimes(1);

    // Checked once, then not again while nothing changes.
    checks.mockClear();
    await a.backup({});
    expect(checks).not.toHaveBeenCalled();

    // Everything still restores.
    const to = join(work, 'restored');
    const report = await a.restore({ dest: 'vault', snapshot: 'latest', source: 'docs', to });
    expect(report.errors).toEqual([]);
    expect(await treeState(to)).toEqual(await treeState(join(work, 'src-a')));
  }, 120_000);

  it('checks again after a run that was killed with a chunk list the vault does not hold', async () => {
    const checks = vi.spyOn(VaultChunkStore.prototype, 'forgetMissing');
    const late = 'added after the others\n';
    await put(join(work, 'src-a'), 'late.txt', late);
    expect((await a.backup({})).results[0]).toMatchObject({ status: 'ok', filesUploaded: 1 });
    const destId = a.catalog.destination('vault').id;
    const sha = createHash('sha256').update(late).digest('hex');
    const real = a.chunkLists.get(destId, sha);
    expect(real?.length).toBe(1);
    // What a run killed after chunking a file, before its pack and index were stored, leaves behind.
    a.chunkLists.put(destId, sha, ['f'.repeat(64)]);
    checks.mockClear();
    const next = await a.backup({});
    expect(next.results[0]).toMatchObject({ status: 'ok' });
    expect(checks).toHaveBeenCalledTimes(1);
    // The stale list went, the file was read again, and its real chunks are known once more.
    expect(a.chunkLists.get(destId, sha)).toEqual(real);
    const to = join(work, 'restored-2');
    const report = await a.restore({ dest: 'vault', snapshot: 'latest', source: 'docs', to });
    expect(report.errors).toEqual([]);
    expect(await treeState(to)).toEqual(await treeState(join(work, 'src-a')));
  }, 120_000);
});
