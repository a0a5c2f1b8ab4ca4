/**
 * The vault layout end to end, on a local disk and on s3rver through the AWS SDK: backups are
 * chunked, deduplicated and sealed (no file name or content appears in any stored object), restore
 * byte for byte, a change in the middle of a big file uploads only the chunks around it, an
 * unchanged tree uploads nothing, a wrong passphrase is refused, a passphrase change keeps every
 * snapshot readable, and a flipped byte in a pack is caught on restore, never restored silently.
 * The CLI is driven through its process for add, backup, restore and passwd.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalDestination } from '../../electron/engine/destinations/local-destination.js';
import { Engine } from '../../electron/engine/engine.js';
import { createCodec } from '../../electron/engine/vault/blob-codec.js';
import { openVault } from '../../electron/engine/vault/vault-repo.js';
import { cliEnv, cliOk, runCli } from '../support/cli.js';
import { s3DestinationConfig, S3RVER_CREDENTIALS, startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { bytes, put, randomBytes, treeState } from '../support/tree.js';

const BUCKET = 'vault-bucket';
const MARKER = 'UNMISTAKABLE-PLAINTEXT-MARKER';
const MIB = 1024 * 1024;
const FAST = { vaultKdf: { unsafeFastKdfForTests: { N: 1024 } } };

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out;
}

async function storedBytes(dir: string, under = ''): Promise<number> {
  let n = 0;
  for (const f of await filesUnder(join(dir, under)).catch(() => [])) n += (await stat(f)).size;
  return n;
}

describe('vault layout', () => {
  let work: string;
  let src: string;
  let home: string;
  let s3: S3rverHarness;
  let engine: Engine;
  const disk = () => join(work, 'vault-disk');

  beforeAll(async () => {
    s3 = await startS3rver([BUCKET]);
    work = await mkdtemp(join(tmpdir(), 'strata-vault-'));
    src = join(work, 'src');
    await put(src, 'notes/secret-plans.txt', `${MARKER}\n`.repeat(2000));
    // Random, so compression cannot hide what a change uploads.
    await put(src, 'big/video.bin', randomBytes(40 * MIB));
    await put(src, 'copy-a.bin', bytes(3 * MIB, 2));
    await put(src, 'dup/copy-b.bin', bytes(3 * MIB, 2));
    for (let i = 0; i < 50; i++) await put(src, `small/f${i}.txt`, `small file ${i} ${MARKER}\n`);
    await put(src, 'empty.txt', '');
    home = join(work, 'home');
    engine = Engine.open({ home, env: cliEnv({ home }), ...FAST });
    await engine.addLocalSource('docs', src);
    await engine.addLocalDestination('vault', disk(), { passphrase: 'correct horse battery' });
    const { kind: _k, ...cloud } = s3DestinationConfig(s3.endpoint, BUCKET, 'v');
    await engine.addS3Destination('cloud', cloud, S3RVER_CREDENTIALS.secretAccessKey, { passphrase: 'cloud pass' });
    engine.setPolicy('docs', '', ['vault', 'cloud']);
  }, 60_000);

  afterAll(async () => {
    engine?.close();
    await s3?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('stores content once, sealed, and restores it byte for byte from both', async () => {
    const run = await engine.backup({});
    expect(run.status).toBe('ok');
    const files = await filesUnder(disk());
    const names = files.map((f) => f.slice(disk().length + 1));
    expect(names.some((n) => n === 'strata.json')).toBe(true);
    expect(
      names.every((n) =>
        /^(strata\.json|packs\/[0-9a-f]{2}\/[0-9a-f]{64}|index\/[0-9a-f]{64}|snapshots\/.+\.json\.gz)$/.test(n),
      ),
    ).toBe(true);
    // No name or content of any file appears anywhere in what is stored.
    for (const f of files) {
      const raw = await readFile(f);
      expect(raw.includes(MARKER)).toBe(false);
      expect(raw.includes('secret-plans')).toBe(false);
    }
    // The two identical 3 MiB files are stored once and the text compressed: about the 40 MiB of
    // random data plus one copy of the 3 MiB (which compresses well), not the 46 MiB of the source.
    const packed = await storedBytes(disk(), 'packs');
    expect(packed).toBeGreaterThan(40 * MIB);
    expect(packed).toBeLessThan(40 * MIB + 3 * MIB);

    for (const name of ['vault', 'cloud']) {
      const to = join(work, `restored-${name}`);
      const r = await engine.restore({ dest: name, snapshot: 'latest', source: 'docs', to });
      expect(r.errors).toEqual([]);
      expect(await treeState(to)).toEqual(await treeState(src));
    }
  }, 120_000);

  it('uploads only the chunks around a change, and nothing for an unchanged tree', async () => {
    const packsBefore = await storedBytes(disk(), 'packs');
    const unchanged = await engine.backup({ destinations: ['vault'] });
    expect(unchanged.results[0]).toMatchObject({ status: 'ok', filesUploaded: 0 });
    expect(await storedBytes(disk(), 'packs')).toBe(packsBefore);

    const big = await readFile(join(src, 'big/video.bin'));
    randomBytes(MIB).copy(big, 20 * MIB);
    await writeFile(join(src, 'big/video.bin'), big);
    const changed = await engine.backup({ destinations: ['vault'] });
    expect(changed.status).toBe('ok');
    const added = (await storedBytes(disk(), 'packs')) - packsBefore;
    // Seen once above 8 MiB on a heavily loaded machine: the run's counters say which files went.
    const why = JSON.stringify({ result: changed.results[0], problems: changed.problems });
    expect(added, why).toBeGreaterThan(MIB);
    expect(added, why).toBeLessThan(8 * MIB);
    const to = join(work, 'restored-after-change');
    await engine.restore({ dest: 'vault', snapshot: 'latest', source: 'docs', to });
    expect(await treeState(to)).toEqual(await treeState(src));
  }, 120_000);

  it('refuses a wrong passphrase and a layout that does not match, adding nothing', async () => {
    const other = Engine.open({ home: join(work, 'home-2'), env: cliEnv({ home: join(work, 'home-2') }), ...FAST });
    try {
      await expect(other.addLocalDestination('same', disk(), { passphrase: 'wrong' })).rejects.toMatchObject({
        code: 'auth',
        message: expect.stringMatching(/wrong passphrase/),
      });
      expect(other.catalog.listDestinations()).toEqual([]);
      // The right one joins the vault: a second machine sees the first one's snapshots.
      await other.addLocalDestination('same', disk(), { passphrase: 'correct horse battery' });
      expect((await other.listSnapshots('same')).length).toBeGreaterThanOrEqual(3);
      // Added as a mirror, the first backup says the folder holds a vault.
      await other.addLocalSource('docs', src);
      await other.addLocalDestination('as-mirror', disk());
      other.setPolicy('docs', '', ['as-mirror']);
      const run = await other.backup({});
      expect(run.results[0]!.error).toMatch(/holds a vault repository, but this destination was added as a mirror one/);
    } finally {
      other.close();
    }
  }, 60_000);

  it('verifies quick and deep: every chunk in place, all of them read back', async () => {
    const quick = await engine.verify('vault');
    expect(quick).toMatchObject({ status: 'ok', problems: [] });
    expect(quick.objects).toBeGreaterThan(50);
    const deep = await engine.verify('cloud', { deep: true, samplePercent: 100 });
    expect(deep).toMatchObject({ status: 'ok', problems: [] });
    expect(deep.bytesRead).toBeGreaterThan(40 * MIB);
    // A pack removed behind Strata's back is missing for a quick verification.
    const packs = await filesUnder(join(disk(), 'packs'));
    const small = (await Promise.all(packs.map(async (p) => [p, (await stat(p)).size] as const))).sort(
      (a, b) => a[1] - b[1],
    )[0]![0];
    const saved = await readFile(small);
    await rm(small);
    try {
      // Each open reads the vault's index again: nothing is cached across these calls.
      const gone = await engine.verify('vault');
      expect(gone.status).toBe('failed');
      expect(gone.problems[0]).toMatchObject({ kind: 'missing' });
      expect(gone.problems[0]!.detail).toMatch(/packs\/[0-9a-f]{2}\/[0-9a-f]{64} is not on the destination/);
    } finally {
      await writeFile(small, saved);
    }
  }, 120_000);

  it('catches a flipped byte in a pack on restore, naming the file', async () => {
    const packs = (await filesUnder(join(disk(), 'packs'))).sort();
    // The largest pack holds chunks of the big file.
    const sizes = await Promise.all(packs.map(async (p) => [p, (await stat(p)).size] as const));
    const [victim] = sizes.sort((a, b) => b[1] - a[1])[0]!;
    const raw = await readFile(victim);
    const saved = Buffer.from(raw);
    raw[1000] = raw[1000]! ^ 0xff;
    await writeFile(victim, raw);
    try {
      // Each open reads the vault's index again: nothing is cached across these calls.
      const r = await engine.restore({
        dest: 'vault',
        snapshot: 'latest',
        source: 'docs',
        to: join(work, 'r-tamper'),
      });
      expect(r.errors.length).toBeGreaterThan(0);
      expect(r.errors[0]!.error).toMatch(/damaged/);
    } finally {
      await writeFile(victim, saved);
    }
  }, 60_000);

  it('prunes snapshots by retention, the kept ones still restoring', async () => {
    const before = await engine.listSnapshots('vault');
    expect(before.length).toBeGreaterThanOrEqual(3);
    engine.setRetention('vault', { keepLast: 1 });
    const report = await engine.prune('vault');
    expect(report.outcome!.snapshotsRemoved).toBe(before.length - 1);
    expect(await engine.listSnapshots('vault')).toHaveLength(1);
    const to = join(work, 'restored-after-prune');
    const r = await engine.restore({ dest: 'vault', snapshot: 'latest', source: 'docs', to });
    expect(r.errors).toEqual([]);
    expect(await treeState(to)).toEqual(await treeState(src));
  }, 60_000);

  it('adds, backs up, restores and changes the passphrase through the CLI', async () => {
    const cliHome = join(work, 'cli-home');
    const dir = join(work, 'cli-vault');
    const env = { STRATA_REPO_PASSPHRASE: 'first pass' };
    const ok = (args: string[], extra: Record<string, string> = {}) =>
      cliOk(args, { home: cliHome, env: { ...env, ...extra } });
    await ok(['source', 'add', 'local', 'docs', src]);
    expect(await ok(['dest', 'add', 'local', 'v', dir, '--layout', 'vault'])).toMatch(/Added vault destination 'v'/);
    expect(await ok(['dest', 'list'])).toMatch(/^v +local +vault /m);
    await ok(['policy', 'set', 'docs', '/', '--to', 'v']);
    await ok(['backup']);
    await ok(['restore', 'v', 'latest', '--source', 'docs', '--to', join(work, 'cli-r1')]);
    expect(await treeState(join(work, 'cli-r1'))).toEqual(await treeState(src));

    expect(await ok(['dest', 'passwd', 'v'], { STRATA_NEW_REPO_PASSPHRASE: 'second pass' })).toMatch(/new passphrase/);
    // Another machine: the old passphrase no longer opens it, the new one does.
    const other = join(work, 'cli-home-2');
    const refused = await runCli(['dest', 'add', 'local', 'v', dir, '--layout', 'vault'], {
      home: other,
      env: { STRATA_REPO_PASSPHRASE: 'first pass' },
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/wrong passphrase for the vault/);
    await cliOk(['dest', 'add', 'local', 'v', dir, '--layout', 'vault'], {
      home: other,
      env: { STRATA_REPO_PASSPHRASE: 'second pass' },
    });
    await cliOk(['restore', 'v', 'latest', '--source', 'docs', '--to', join(work, 'cli-r2')], { home: other });
    expect(await treeState(join(work, 'cli-r2'))).toEqual(await treeState(src));
    const bad = await runCli(['dest', 'add', 'local', 'w', join(work, 'x'), '--layout', 'safe'], { home: cliHome });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/'safe' is not a layout; use --layout mirror \(the default\) or --layout vault/);
  }, 180_000);

  it('names chunks by the vault format: a new vault is v2 (keyed SHA-256), a v1 vault keeps keyed hashes of the plaintext', async () => {
    const config = JSON.parse(await readFile(join(disk(), 'strata.json'), 'utf8'));
    expect(config).toMatchObject({ version: 2, layout: 'vault', ids: 'keyed-sha256' });

    // A vault written by an earlier build: strata.json v1, without `ids`.
    const oldSrc = join(work, 'old-src');
    const content = `a file of one chunk ${MARKER}\n`.repeat(100);
    await put(oldSrc, 'one.txt', content);
    await put(oldSrc, 'two.txt', content); // the same content: stored once
    const oldDisk = join(work, 'old-vault');
    await engine.addLocalSource('old-docs', oldSrc);
    await engine.addLocalDestination('old', oldDisk, { passphrase: 'old pass' });
    const made = JSON.parse(await readFile(join(oldDisk, 'strata.json'), 'utf8'));
    delete made.ids;
    await writeFile(join(oldDisk, 'strata.json'), JSON.stringify({ ...made, version: 1 }, null, 2));
    engine.setPolicy('old-docs', '', ['old']);
    const run = await engine.backup({ sources: ['old-docs'] });
    expect(run.status).toBe('ok');

    const vault = await openVault(new LocalDestination(oldDisk), 'old pass', FAST.vaultKdf);
    expect(vault.codec.idOfDigest).toBeUndefined();
    const { index } = await vault.index();
    const legacy = vault.codec.id(Buffer.from(content));
    expect(legacy).not.toBe(createCodec(vault.codec.madeFrom!.keys, { digestIds: true }).id(Buffer.from(content)));
    expect(index.hasLive(legacy)).toBe(true);
    expect([...index.entries()]).toHaveLength(1);
    const to = join(work, 'restored-old');
    const restored = await engine.restore({ dest: 'old', snapshot: 'latest', source: 'old-docs', to });
    expect(restored.errors).toEqual([]);
    expect(await treeState(to)).toEqual(await treeState(oldSrc));
    // And a build that reads only v1 is told to upgrade rather than misread a v2 vault's ids.
    await writeFile(join(oldDisk, 'strata.json'), JSON.stringify({ ...made, version: 3 }, null, 2));
    await expect(openVault(new LocalDestination(oldDisk), 'old pass', FAST.vaultKdf)).rejects.toThrow(
      /uses format v3; this Strata reads up to v2/,
    );
  }, 120_000);
});
