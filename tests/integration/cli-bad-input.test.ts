import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOk, resultOf, runCli, s3DestArgs } from '../support/cli.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { bytes, diffTrees, put, treeState } from '../support/tree.js';

let work: string;
let s3: S3rverHarness;
let signed: FaultProxy;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'strata-bad-'));
  s3 = await startS3rver(['strata-bad']);
  signed = await startFaultProxy({ target: s3.endpoint, verifySignatures: [s3.credentials] });
});

afterAll(async () => {
  await signed.stop();
  await s3.stop();
  await rm(work, { recursive: true, force: true });
});

/** A home with one source of a few files. */
async function setup(name: string): Promise<{ home: string; src: string }> {
  const home = join(work, name, 'home');
  const src = join(work, name, 'src');
  await put(src, 'a.txt', 'alpha\n');
  await put(src, 'sub/b.txt', 'beta\n');
  await cliOk(['source', 'add', 'local', 'docs', src], { home });
  return { home, src };
}

function s3Args(name: string, endpoint: string, bucket = 'strata-bad'): string[] {
  return s3DestArgs(name, endpoint, bucket, name);
}

describe('destination credentials and buckets', () => {
  it('names the wrong secret, at the step that failed, and never prints it', async () => {
    const { home } = await setup('wrong-secret');
    await cliOk(s3Args('bad', signed.endpoint), { home, env: { STRATA_SECRET_ACCESS_KEY: 'definitely-wrong-secret' } });
    const r = await runCli(['dest', 'test', 'bad'], { home });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+write/);
    expect(r.stdout.toLowerCase()).toContain('secret');
    expect(r.stdout + r.stderr).not.toContain('definitely-wrong-secret');
    const db = await readFile(join(home, 'strata.db'));
    expect(db.includes(Buffer.from('definitely-wrong-secret'))).toBe(false);
  });

  it('keeps backing up to the healthy destination when another one fails (partial, exit 3)', async () => {
    const { home, src } = await setup('partial');
    await cliOk(s3Args('bad', signed.endpoint), { home, env: { STRATA_SECRET_ACCESS_KEY: 'wrong' } });
    await cliOk(['dest', 'add', 'local', 'disk', join(work, 'partial', 'disk')], { home });
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'bad,disk'], { home });
    const r = await runCli(['backup', '--json'], { home });
    expect(r.code).toBe(3);
    const out = resultOf<{ status: string; results: { destName: string; status: string; error?: string }[] }>(r.stdout);
    expect(out.status).toBe('partial');
    expect(out.results.find((x) => x.destName === 'disk')!.status).toBe('ok');
    const bad = out.results.find((x) => x.destName === 'bad')!;
    expect(bad.status).toBe('failed');
    expect(bad.error).toMatch(/secret/i);
    const to = join(work, 'partial', 'restored');
    await cliOk(['restore', 'disk', 'latest', '--to', to], { home });
    expect(diffTrees(await treeState(src), await treeState(to))).toEqual([]);
  });

  it('says the bucket is missing and how to fix it', async () => {
    const { home } = await setup('missing-bucket');
    await cliOk(s3Args('nobucket', s3.endpoint, 'strata-no-such-bucket'), {
      home,
      env: { STRATA_SECRET_ACCESS_KEY: 'S3RVER' },
    });
    const r = await runCli(['dest', 'test', 'nobucket'], { home });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/bucket/i);
    expect(r.stdout).toMatch(/does not exist|create/i);
  });

  it('refuses a secret on the command line and bad flags with exit 2', async () => {
    const { home } = await setup('usage');
    const r = await runCli(['dest', 'add', 's3', 'x', '--provider', 'nope', '--bucket', 'b', '--access-key-id', 'k'], {
      home,
    });
    expect(r.code).toBe(2);
    const noSecret = await runCli(s3Args('y', s3.endpoint), { home });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('STRATA_SECRET_ACCESS_KEY');
    const conflict = await runCli(['restore', 'y', 'latest', '--to', work, '--conflict', 'maybe'], { home });
    expect(conflict.code).toBe(2);
    const unknownDest = await runCli(['policy', 'set', 'docs', '/', '--to', 'nowhere'], { home });
    expect(unknownDest.code).toBe(1);
    expect(unknownDest.stderr).toContain("no destination named 'nowhere'");
    const traversal = await runCli(['policy', 'set', 'docs', '../etc', '--to', 'none'], { home });
    expect(traversal.code).toBe(2);
    const rate = await runCli(['backup', '--bwlimit', 'fast'], { home });
    expect(rate.code).toBe(2);
    expect(rate.stderr).toContain("'fast' is not a rate");
    expect(rate.stderr).toMatch(/4M/);
  });
});

describe('files that cannot be read as they are', () => {
  // A vault's files are read by worker threads (backup-workers.ts): the same reason either way.
  it.each(['mirror', 'vault'])('records an unreadable file as failed and backs up the rest (%s)', async (layout) => {
    const base = join(work, `unreadable-${layout}`);
    await mkdir(base, { recursive: true });
    await chmod(work, 0o755);
    await chmod(base, 0o777);
    const home = join(base, 'home');
    const src = join(base, 'src');
    await put(src, 'ok.txt', 'readable\n');
    await put(src, 'secret.txt', 'not for you\n');
    await chmod(join(src, 'secret.txt'), 0o000);
    // Root reads everything: run the CLI as 'nobody' so the permission is real.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    await mkdir(home, { recursive: true });
    await mkdir(join(base, 'disk'), { recursive: true });
    if (process.getuid?.() === 0) {
      for (const d of [home, join(base, 'disk'), src, join(src, 'ok.txt')]) await chown(d, 65534, 65534);
    }
    const as = { home, ...asUser, env: { STRATA_REPO_PASSPHRASE: 'unreadable vault' } };
    await cliOk(['source', 'add', 'local', 'docs', src], as);
    await cliOk(['dest', 'add', 'local', 'disk', join(base, 'disk'), '--layout', layout], as);
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'disk'], as);
    const r = await runCli(['backup', '--json'], as);
    expect(r.code, r.stderr).toBe(3);
    const out = resultOf<{ problems: { path: string; error: string }[]; workers: number }>(r.stdout);
    expect(out.problems).toEqual([
      expect.objectContaining({ path: 'secret.txt', error: expect.stringMatching(/permission denied/) }),
    ]);
    if (layout === 'mirror') {
      expect(out.workers).toBe(0);
      expect(await readFile(join(base, 'disk', 'files', 'docs', 'ok.txt'), 'utf8')).toBe('readable\n');
    } else {
      // Small files only: one core is left to the main thread (backup-workers.ts).
      const cores = availableParallelism();
      expect(out.workers).toBe(cores < 2 ? 0 : Math.min(4, cores - 1));
      await cliOk(['restore', 'disk', 'latest', '--to', join(base, 'back')], as);
      expect(await readFile(join(base, 'back', 'ok.txt'), 'utf8')).toBe('readable\n');
    }
    const snaps = resultOf<{ snapshots: { errors: number }[] }>(await cliOk(['snapshots', '--json'], as));
    expect(snaps.snapshots[0]!.errors).toBe(1);
  });

  it('marks a file that keeps changing while it is read as failed, with the reason', async () => {
    const { home, src } = await setup('changing');
    await cliOk(['dest', 'add', 'local', 'disk', join(work, 'changing', 'disk')], { home });
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'disk'], { home });
    await writeFile(join(src, 'growing.log'), bytes(48 * 1024 * 1024, 3));
    // Another process appends to the file for as long as the backup runs.
    const writer = spawn(process.execPath, [
      '-e',
      `const fs=require('fs');setInterval(()=>fs.appendFileSync(${JSON.stringify(join(src, 'growing.log'))},'x'),1)`,
    ]);
    try {
      const r = await runCli(['backup', '--json'], { home });
      expect(r.code, r.stderr).toBe(3);
      const out = resultOf<{ problems: { path: string; error: string }[] }>(r.stdout);
      expect(out.problems).toEqual([
        expect.objectContaining({
          path: 'growing.log',
          error: expect.stringContaining('changed while it was being read'),
        }),
      ]);
    } finally {
      writer.kill('SIGKILL');
    }
    expect(existsSync(join(work, 'changing', 'disk', 'files', 'docs', 'a.txt'))).toBe(true);
    expect(existsSync(join(work, 'changing', 'disk', 'files', 'docs', 'growing.log'))).toBe(false);
  });
});

/** Rewrites a manifest's entry lines; `fixDigest` keeps the digest consistent so only the content checks can object. */
async function rewriteManifest(
  file: string,
  edit: (entries: Record<string, unknown>[]) => void,
  fixDigest: boolean,
): Promise<void> {
  const lines = gunzipSync(await readFile(file))
    .toString('utf8')
    .split('\n')
    .filter(Boolean);
  const header = lines[0]!;
  const summaryLine = lines.at(-1)!;
  const entries = lines
    .slice(1, -1)
    .map((l) => JSON.parse(l.endsWith(',') ? l.slice(0, -1) : l) as Record<string, unknown>);
  edit(entries);
  const entryLines = entries.map((e) => JSON.stringify(e));
  const summary = (JSON.parse(`{${summaryLine.slice(2)}`) as { summary: Record<string, unknown> }).summary;
  if (fixDigest) {
    const h = createHash('sha256');
    for (const l of entryLines) h.update(l).update('\n');
    summary.entriesSha256 = h.digest('hex');
    summary.entries = entries.length;
  }
  const text = `${header}\n${entryLines.join(',\n')}\n],"summary":${JSON.stringify(summary)}}\n`;
  await writeFile(file, gzipSync(text));
}

describe('damaged, tampered and newer repositories', () => {
  let home: string;
  let disk: string;
  let src: string;
  let manifests: string[];

  beforeAll(async () => {
    ({ home, src } = await setup('repo'));
    disk = join(work, 'repo', 'disk');
    await cliOk(['dest', 'add', 'local', 'disk', disk], { home });
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'disk'], { home });
    await cliOk(['backup'], { home });
    await put(src, 'c.txt', 'gamma\n');
    await cliOk(['backup'], { home });
    await put(src, 'd.txt', 'delta\n');
    await cliOk(['backup'], { home });
    const dir = join(disk, 'snapshots', (await readdir(join(disk, 'snapshots')))[0]!);
    manifests = (await readdir(dir)).sort().map((f) => join(dir, f));
  });

  it('refuses entries that would escape the restore folder', async () => {
    await rewriteManifest(
      manifests[0]!,
      (entries) => {
        const f = entries.find((e) => e.type === 'file')!;
        f.path = '../../escaped.txt';
      },
      true,
    );
    const to = join(work, 'repo', 'r-traversal');
    const id = manifests[0]!.split('/').at(-1)!.replace('.json.gz', '');
    const r = await runCli(['restore', 'disk', id, '--to', to], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('would escape the restore folder');
    expect(existsSync(join(work, 'repo', 'escaped.txt'))).toBe(false);
    expect(existsSync(join(work, 'escaped.txt'))).toBe(false);
  });

  it('refuses a symlink that points outside the restore folder', async () => {
    await rewriteManifest(
      manifests[1]!,
      (entries) => {
        entries.push({ path: 'evil-link', type: 'symlink', mtime: Date.now(), target: '/etc' });
      },
      true,
    );
    const id = manifests[1]!.split('/').at(-1)!.replace('.json.gz', '');
    const to = join(work, 'repo', 'r-link');
    const r = await runCli(['restore', 'disk', id, '--to', to], { home });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('points outside the restore folder');
    expect(existsSync(join(to, 'evil-link'))).toBe(false);
    expect(await readFile(join(to, 'a.txt'), 'utf8')).toBe('alpha\n');
  });

  it('detects a tampered manifest by its digest', async () => {
    const copy = `${manifests[2]!}.orig`;
    await writeFile(copy, await readFile(manifests[2]!));
    await rewriteManifest(
      manifests[2]!,
      (entries) => {
        const f = entries.find((e) => e.type === 'file')!;
        f.size = 1;
      },
      false,
    );
    const id = manifests[2]!.split('/').at(-1)!.replace('.json.gz', '');
    const r = await runCli(['restore', 'disk', id, '--to', join(work, 'repo', 'r-tamper')], { home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('does not match its own digest');
    await writeFile(manifests[2]!, await readFile(copy));
    await rm(copy);
  });

  it('lists a corrupt manifest as damaged and still restores the others', async () => {
    const corrupt = manifests[1]!;
    const data = await readFile(corrupt);
    await writeFile(corrupt, data.subarray(0, Math.floor(data.length / 2)));
    // A fresh home has no cache: the listing must read every manifest.
    const fresh = join(work, 'repo', 'fresh-home');
    await cliOk(['dest', 'add', 'local', 'disk', disk], { home: fresh });
    const list = resultOf<{ snapshots: { snapshotId: string; damaged?: string }[] }>(
      await cliOk(['snapshots', '--json'], { home: fresh }),
    );
    expect(list.snapshots).toHaveLength(3);
    expect(list.snapshots[1]!.damaged).toMatch(/damaged/);
    const r = await runCli(
      ['restore', 'disk', list.snapshots[1]!.snapshotId, '--to', join(work, 'repo', 'r-corrupt')],
      { home: fresh },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot be read|damaged/);
    const to = join(work, 'repo', 'r-latest');
    await cliOk(['restore', 'disk', 'latest', '--to', to], { home: fresh });
    expect(diffTrees(await treeState(src), await treeState(to))).toEqual([]);
  });

  it('names a file whose stored copy was damaged, and restores the rest', async () => {
    const stored = join(disk, 'files', 'docs', 'sub', 'b.txt');
    const original = await readFile(stored);
    await writeFile(stored, Buffer.from('BETA\n'));
    const to = join(work, 'repo', 'r-damaged-object');
    const r = await runCli(['restore', 'disk', 'latest', '--to', to], { home });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('sub/b.txt: the stored copy does not match its SHA-256');
    expect(existsSync(join(to, 'sub', 'b.txt'))).toBe(false);
    expect(await readFile(join(to, 'a.txt'), 'utf8')).toBe('alpha\n');
    await writeFile(stored, original);
  });

  it('refuses a repository written by a newer Strata and changes nothing', async () => {
    const cfgPath = join(disk, 'strata.json');
    const original = await readFile(cfgPath, 'utf8');
    const newer = JSON.stringify({ ...JSON.parse(original), version: 3 });
    await writeFile(cfgPath, newer);
    const before = await treeState(disk);
    await put(src, 'e.txt', 'epsilon\n');
    const r = await runCli(['backup'], { home });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('uses format v3; this Strata reads up to v2');
    expect(r.stdout + r.stderr).toMatch(/upgrade Strata/);
    expect(diffTrees(before, await treeState(disk))).toEqual([]);
    const s = await runCli(['snapshots'], { home });
    expect(s.code).toBe(1);
    await writeFile(cfgPath, original);
  });
});

describe('a full destination disk', () => {
  it('fails that destination with the reason, keeps earlier snapshots, and completes once there is room', async (ctx) => {
    const mnt = join(work, 'small-disk');
    await mkdir(mnt, { recursive: true });
    const mounted = await new Promise<boolean>((resolve) => {
      const p = spawn('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mnt], { stdio: 'ignore' });
      p.on('error', () => resolve(false));
      p.on('exit', (code) => resolve(code === 0));
    });
    if (!mounted) {
      console.log(
        'skipped: this machine does not let the test mount a small tmpfs (needs root), so a full disk cannot be made',
      );
      ctx.skip();
    }
    try {
      const { home, src } = await setup('full');
      await cliOk(['dest', 'add', 'local', 'small', join(mnt, 'backup')], { home });
      await cliOk(['policy', 'set', 'docs', '/', '--to', 'small'], { home });
      await cliOk(['backup'], { home });
      const before = await treeState(src);
      await put(src, 'huge.bin', bytes(9 * 1024 * 1024, 9));
      const r = await runCli(['backup', '--json'], { home });
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toContain('is full');
      const to = join(work, 'full', 'restored');
      await cliOk(['restore', 'small', 'latest', '--to', to], { home });
      expect(diffTrees(before, await treeState(to))).toEqual([]);
      await rm(join(src, 'huge.bin'));
      await put(src, 'fits.bin', bytes(1024 * 1024, 10));
      await cliOk(['backup'], { home });
      const to2 = join(work, 'full', 'restored-2');
      await cliOk(['restore', 'small', 'latest', '--to', to2], { home });
      expect(diffTrees(await treeState(src), await treeState(to2))).toEqual([]);
    } finally {
      await new Promise((resolve) => spawn('umount', [mnt], { stdio: 'ignore' }).on('exit', resolve));
    }
  });
});
