/**
 * A vault's garbage collection, step by step on a local disk with the real engine: a prune only
 * condemns unused packs (repacking sparse ones first), a later prune deletes them; a backup still
 * running from before the marker holds the deletion back; a snapshot written since rescues what
 * it uses; a killed run's unindexed pack is collected; a backup after the marker stores content
 * anew rather than building on a condemned pack. Every kept snapshot restores byte for byte and
 * deep-verifies after each step.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { writeIndex } from '../../electron/engine/vault/index-file.js';
import { PackWriter } from '../../electron/engine/vault/pack-writer.js';
import { RunMarker } from '../../electron/engine/vault/run-marker.js';
import { VaultDestination } from '../../electron/engine/vault/vault-destination.js';
import { cliEnv, cliOk, runCli } from '../support/cli.js';
import { put, randomBytes, treeState } from '../support/tree.js';

const MIB = 1024 * 1024;
const FAST = { vaultKdf: { unsafeFastKdfForTests: { N: 1024 } } };

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

async function sizeUnder(dir: string): Promise<number> {
  let n = 0;
  for (const f of await filesUnder(dir)) n += (await stat(f)).size;
  return n;
}

describe('vault collection (two-phase)', () => {
  let work: string;
  let src: string;
  let engine: Engine;
  const disk = () => join(work, 'vault');
  const packs = () => filesUnder(join(disk(), 'packs'));

  const vault = async (): Promise<VaultDestination> => {
    const v = await engine.openDestination(engine.catalog.destination('vault'));
    if (!(v instanceof VaultDestination)) throw new Error('not a vault');
    return v;
  };

  /** Every kept snapshot restores to what it recorded, and a deep verification of everything is clean. */
  const everySnapshotWhole = async (expected: Map<string, Awaited<ReturnType<typeof treeState>>>) => {
    for (const s of await engine.listSnapshots('vault')) {
      const to = join(work, `check-${s.snapshotId}-${Math.random().toString(36).slice(2)}`);
      const r = await engine.restore({ dest: 'vault', snapshot: s.snapshotId, source: 'docs', to });
      expect(r.errors).toEqual([]);
      const want = expected.get(s.snapshotId);
      if (want) expect(await treeState(to)).toEqual(want);
      await rm(to, { recursive: true, force: true });
    }
    const deep = await engine.verify('vault', { deep: true, samplePercent: 100 });
    expect(deep.problems).toEqual([]);
    expect(deep.status).toBe('ok');
  };
  const states = new Map<string, Awaited<ReturnType<typeof treeState>>>();
  const backup = async () => {
    const run = await engine.backup({});
    expect(run.status).toBe('ok');
    const id = run.results[0]!.snapshotId!;
    states.set(id, await treeState(src));
    return { ...run.results[0]!, runId: run.runId };
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-collect-'));
    src = join(work, 'src');
    await put(src, 'keep.bin', randomBytes(2 * MIB));
    await put(src, 'gone.bin', randomBytes(3 * MIB));
    const home = join(work, 'home');
    engine = Engine.open({ home, env: cliEnv({ home }), pruneGraceMs: 0, ...FAST });
    await engine.addLocalSource('docs', src);
    await engine.addLocalDestination('vault', disk(), { passphrase: 'collect me' });
    engine.setPolicy('docs', '', ['vault']);
    engine.setRetention('vault', { keepLast: 1 });
  }, 60_000);

  afterAll(async () => {
    engine?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('condemns a sparse pack after repacking what is still used, and deletes it only in the next prune', async () => {
    await backup();
    const [first] = await packs();
    expect(await packs()).toHaveLength(1);
    await rm(join(src, 'gone.bin'));
    await put(src, 'new.bin', randomBytes(1 * MIB));
    await backup();
    const before = await sizeUnder(join(disk(), 'packs'));

    const marked = await engine.prune('vault');
    expect(marked.outcome!.snapshotsRemoved).toBe(1);
    expect(marked.outcome!.vault).toMatchObject({ packsDeleted: 0, packsRepacked: 1, packsCondemned: 1 });
    // 2 of the pack's 5 MiB are still used: copied out, the old pack stays until the next prune.
    expect(marked.outcome!.vault!.bytesRepacked).toBeGreaterThan(2 * MIB);
    expect(marked.outcome!.vault!.bytesRepacked).toBeLessThan(2.1 * MIB);
    expect(await packs()).toContain(first);
    expect(await filesUnder(join(disk(), 'collections'))).toHaveLength(1);
    await everySnapshotWhole(states);

    const swept = await engine.prune('vault');
    expect(swept.outcome!.vault).toMatchObject({ packsDeleted: 1, packsCondemned: 0, packsWaiting: 0 });
    expect(swept.outcome!.bytesFreed).toBeGreaterThan(5 * MIB);
    expect(await packs()).not.toContain(first);
    expect(await filesUnder(join(disk(), 'collections'))).toEqual([]);
    // keep.bin (2 MiB, repacked) and new.bin (1 MiB) remain: about 3 MiB instead of 6.
    const after = await sizeUnder(join(disk(), 'packs'));
    expect(after).toBeLessThan(before - 2.9 * MIB);
    expect(after).toBeGreaterThan(3 * MIB);
    await everySnapshotWhole(states);
  }, 120_000);

  it('waits while a backup that began before the marker is still running', async () => {
    await put(src, 'brief.bin', randomBytes(1 * MIB));
    await backup();
    await rm(join(src, 'brief.bin'));
    await backup();
    const v = await vault();
    const running = new RunMarker(v.inner, v.codec);
    await running.start();
    try {
      const marked = await engine.prune('vault');
      expect(marked.outcome!.vault!.packsCondemned).toBeGreaterThanOrEqual(1);
      const held = await engine.prune('vault');
      expect(held.outcome!.vault).toMatchObject({ packsDeleted: 0 });
      expect(held.outcome!.vault!.packsWaiting).toBeGreaterThanOrEqual(1);
      expect(held.outcome!.vault!.waitingFor).toMatch(/a backup that began before they were marked is still running/);
    } finally {
      await running.stop();
      await v.close();
    }
    const swept = await engine.prune('vault');
    expect(swept.outcome!.vault!.packsDeleted).toBeGreaterThanOrEqual(1);
    expect(swept.outcome!.vault!.packsWaiting).toBe(0);
    await everySnapshotWhole(states);
  }, 120_000);

  it('keeps a condemned pack that a snapshot written since uses', async () => {
    await put(src, 'late.bin', randomBytes(1 * MIB));
    await backup();
    const [late] = await engine.listSnapshots('vault').then((l) => l.slice(-1));
    const manifestFile = join(disk(), late!.manifestKey);
    const sealed = await readFile(manifestFile);
    await rm(join(src, 'late.bin'));
    await backup();
    const marked = await engine.prune('vault');
    expect(marked.outcome!.vault!.packsCondemned).toBeGreaterThanOrEqual(1);
    // A backup that began before the marker (so it could use late.bin's pack) finishes now.
    await writeFile(manifestFile, sealed);
    engine.setRetention('vault', { keepLast: 2 });
    const kept = await engine.prune('vault');
    expect(kept.outcome!.vault!.packsRescued).toBeGreaterThanOrEqual(1);
    const to = join(work, 'late-restored');
    const r = await engine.restore({ dest: 'vault', snapshot: late!.snapshotId, source: 'docs', to });
    expect(r.errors).toEqual([]);
    expect(await treeState(to)).toEqual(states.get(late!.snapshotId));
    await everySnapshotWhole(states);
    engine.setRetention('vault', { keepLast: 1 });
    await engine.prune('vault');
    await engine.prune('vault');
    await everySnapshotWhole(states);
  }, 120_000);

  it("collects a killed run's unindexed pack", async () => {
    const v = await vault();
    const writer = new PackWriter({ dest: v.inner, codec: v.codec });
    const orphanChunk = randomBytes(300_000);
    await writer.add(v.codec.id(orphanChunk), orphanChunk);
    const [orphan] = await writer.flush();
    await v.close();
    const key = join(disk(), 'packs', orphan!.packId.slice(0, 2), orphan!.packId);
    expect((await stat(key)).size).toBe(orphan!.size);
    const marked = await engine.prune('vault');
    expect(marked.outcome!.vault!.packsCondemned).toBe(1);
    const swept = await engine.prune('vault');
    expect(swept.outcome!.vault!.packsDeleted).toBe(1);
    await expect(stat(key)).rejects.toMatchObject({ code: 'ENOENT' });
    await everySnapshotWhole(states);
  }, 60_000);

  it('stores content again rather than building on a condemned pack', async () => {
    const content = randomBytes(2 * MIB);
    await put(src, 'back.bin', content);
    await backup();
    await rm(join(src, 'back.bin'));
    await backup();
    const marked = await engine.prune('vault');
    expect(marked.outcome!.vault!.packsCondemned).toBeGreaterThanOrEqual(1);
    // The same bytes come back: the pack holding them is condemned, so they are stored anew.
    await put(src, 'back.bin', content);
    const result = await backup();
    expect(result.bytesUploaded).toBeGreaterThanOrEqual(2 * MIB);
    const swept = await engine.prune('vault');
    expect(swept.outcome!.vault!.packsDeleted).toBeGreaterThanOrEqual(1);
    expect(swept.outcome!.vault!.packsRescued).toBe(0);
    await everySnapshotWhole(states);
  }, 120_000);

  it('counts what a vault stores for the cost estimate, not the files it read', async () => {
    const twin = randomBytes(2 * MIB);
    await put(src, 'twins/one.bin', twin);
    await put(src, 'twins/two.bin', twin);
    const before = engine.costs.overview('vault').destinations[0]!.usage;
    const result = await backup();
    // Two files of 2 MiB read and sent through the chunker; their content stored once.
    expect(result.bytesUploaded).toBe(4 * MIB);
    expect(result.storedBytes).toBeGreaterThan(2 * MIB);
    expect(result.storedBytes).toBeLessThan(2.1 * MIB);
    expect(result.storedObjects).toBe(2); // one pack, one index file
    // Carried forward from the run (the destination was counted after its first backup).
    const after = engine.costs.overview('vault').destinations[0]!.usage;
    expect(after.measured).toBe(false);
    expect(after.bytes - before.bytes).toBe(result.storedBytes);
    expect(after.objects - before.objects).toBe(3); // and the manifest
    // The run history keeps the figures (migration 14).
    const [saved] = engine.runs.resultsOf(result.runId);
    expect(saved).toMatchObject({ storedBytes: result.storedBytes, storedObjects: 2 });
  }, 60_000);

  it('keeps a local copy of the index files, dropping those a collection replaced', async () => {
    const cache = join(work, 'home', 'cache', 'vault-index');
    const v = await vault();
    await v.index(); // the last backup's index file is fetched by the next open
    await v.close();
    const cached = (await filesUnder(cache)).map((f) => f.split('/').pop()).sort();
    const remote = (await filesUnder(join(disk(), 'index'))).map((f) => f.split('/').pop()).sort();
    expect(cached.length).toBeGreaterThan(0);
    expect(cached).toEqual(remote);
    // A damaged copy is fetched again; the vault still opens and restores.
    await writeFile((await filesUnder(cache))[0]!, 'not an index');
    await everySnapshotWhole(states);
  }, 60_000);

  it('prunes a vault in two phases through the CLI', async () => {
    const home = join(work, 'cli-home');
    const dir = join(work, 'cli-vault');
    const cliSrc = join(work, 'cli-src');
    await put(cliSrc, 'a.bin', randomBytes(MIB));
    const env = { STRATA_REPO_PASSPHRASE: 'cli collect' };
    const ok = (args: string[]) => cliOk(args, { home, env });
    await ok(['source', 'add', 'local', 'docs', cliSrc]);
    await ok(['dest', 'add', 'local', 'v', dir, '--layout', 'vault']);
    await ok(['policy', 'set', 'docs', '/', '--to', 'v']);
    await ok(['backup']);
    await writeFile(join(cliSrc, 'a.bin'), randomBytes(MIB));
    // What the vault stored, besides what was read and sent through the chunker.
    expect(await ok(['backup'])).toMatch(/1 sent \(1\.0 MB, 1\.\d MB new in the vault\)/);
    await ok(['retention', 'set', 'v', '--keep-last', '1']);
    const marked = await ok(['prune', '--dest', 'v', '--grace', '0']);
    expect(marked).toMatch(/Removed 1 snapshot\(s\) and 0 pack\(s\) condemned by an earlier prune/);
    expect(marked).toMatch(/Marked 1 unused pack\(s\) \(1\.0 MB\) for deletion by a later prune/);
    const swept = await ok(['prune', '--dest', 'v', '--grace', '0']);
    expect(swept).toMatch(/Removed 0 snapshot\(s\) and 1 pack\(s\) condemned by an earlier prune; freed 1\.0 MB/);
    // The default grace keeps what a later prune marks for a day.
    await writeFile(join(cliSrc, 'a.bin'), randomBytes(MIB));
    await ok(['backup']);
    await ok(['prune', '--dest', 'v']);
    expect(await ok(['prune', '--dest', 'v'])).toMatch(
      /1 pack\(s\) marked earlier wait: the grace period since they were marked has not passed/,
    );
    const bad = await runCli(['prune', '--dest', 'v', '--grace', 'soon'], { home, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--grace soon: expected a number of hours/);
    await ok(['restore', 'v', 'latest', '--source', 'docs', '--to', join(work, 'cli-restored')]);
    expect(await treeState(join(work, 'cli-restored'))).toEqual(await treeState(cliSrc));
  }, 120_000);

  it('consolidates the small packs that backups leave behind into full packs', async () => {
    const home = join(work, 'small-home');
    const dir = join(work, 'small-vault');
    const smallSrc = join(work, 'small-src');
    const env = { STRATA_REPO_PASSPHRASE: 'small packs' };
    const ok = (args: string[]) => cliOk(args, { home, env });
    await put(smallSrc, 'readme.txt', 'notes');
    await ok(['source', 'add', 'local', 'docs', smallSrc]);
    await ok(['dest', 'add', 'local', 'v', dir, '--layout', 'vault']);
    await ok(['policy', 'set', 'docs', '/', '--to', 'v']);
    await ok(['retention', 'set', 'v', '--keep-last', '100']);
    const states = new Map<number, Awaited<ReturnType<typeof treeState>>>();
    // Each backup stores one new 200 KiB file: one small pack each.
    for (let i = 0; i < 9; i++) {
      await put(smallSrc, `day-${i}.bin`, randomBytes(200 * 1024));
      await ok(['backup']);
      states.set(i, await treeState(smallSrc));
    }
    const before = await filesUnder(join(dir, 'packs'));
    expect(before).toHaveLength(9);

    const marked = await ok(['prune', '--dest', 'v', '--grace', '0']);
    expect(marked).toMatch(/Consolidated 9 small pack\(s\) into full ones \(1\.\d MB still in use copied\)/);
    expect(marked).toMatch(/Marked 9 unused pack\(s\)/);
    const swept = await ok(['prune', '--dest', 'v', '--grace', '0']);
    expect(swept).toMatch(/Removed 0 snapshot\(s\) and 9 pack\(s\) condemned by an earlier prune/);
    const after = await filesUnder(join(dir, 'packs'));
    expect(after).toHaveLength(1);
    expect(after.some((p) => before.includes(p))).toBe(false);
    // A few small packs are left alone: one more backup does not start another consolidation.
    await put(smallSrc, 'day-9.bin', randomBytes(200 * 1024));
    await ok(['backup']);
    states.set(9, await treeState(smallSrc));
    expect(await ok(['prune', '--dest', 'v', '--grace', '0'])).not.toMatch(/onsolidated/);

    // Every snapshot restores byte for byte from the consolidated pack; a deep verify is clean.
    const { snapshots: list } = JSON.parse(await ok(['snapshots', '--dest', 'v', '--json'])) as {
      snapshots: { snapshotId: string; createdAt: string }[];
    };
    expect(list).toHaveLength(10);
    const ordered = [...list].sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
    for (const [i, snap] of ordered.entries()) {
      const to = join(work, `small-restored-${i}`);
      await ok(['restore', 'v', snap.snapshotId, '--source', 'docs', '--to', to]);
      expect(await treeState(to)).toEqual(states.get(i));
    }
    await ok(['verify', 'v', '--deep', '--sample', '100']);
  }, 180_000);

  it("verifies and restores from a chunk's other copy when its preferred pack is lost", async () => {
    const had = new Set(await packs());
    await put(src, 'twice.bin', randomBytes(300 * 1024));
    await backup();
    const fresh = (await packs()).filter((p) => !had.has(p));
    expect(fresh).toHaveLength(1);
    const original = fresh[0]!.split('/').pop()!;
    // A second copy of the same chunks in another pack (as when two machines store them at once).
    const v = await vault();
    const { index } = await v.index();
    const reader = await v.reader();
    const ids = [...index.entries()].filter(([, loc]) => loc.packId === original).map(([id]) => id);
    expect(ids.length).toBeGreaterThan(0);
    const writer = new PackWriter({ dest: v.inner, codec: v.codec });
    for (const id of ids) await writer.add(id, await reader.read(id));
    const extra = randomBytes(1000);
    await writer.add(v.codec.id(extra), extra);
    const [copy] = await writer.flush();
    await writeIndex(v.inner, v.codec, [copy!]);
    await v.close();
    // Lose whichever copy readers prefer: they must fall back to the other.
    const preferred = original < copy!.packId ? original : copy!.packId;
    await rm(join(disk(), 'packs', preferred.slice(0, 2), preferred));

    const quick = await engine.verify('vault', {});
    expect(quick.problems).toEqual([]);
    await everySnapshotWhole(states);
  }, 60_000);
});
