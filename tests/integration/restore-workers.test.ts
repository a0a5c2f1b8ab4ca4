/**
 * Vault restores written by worker threads (restore-workers.ts), driven through the CLI process
 * (the built CLI has the worker script beside it): from a local vault and from one on s3rver
 * (the worker opens the bucket with the saved secret), byte for byte with modes; run again, every
 * file is found identical; the conflict rules still apply; a damaged pack fails only the files
 * that use it, leaving no partial or temp file; a restore killed part-way completes when run again.
 */
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOk, resultOf, runCli, s3DestArgs, startCli } from '../support/cli.js';
import { withDamagedPack } from '../support/damage-pack.js';
import { startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { diffTrees, put, randomBytes, treeState, type TreeState } from '../support/tree.js';

const MiB = 1024 * 1024;
const PASSPHRASE = 'worker restore vault';
/** Workers start on two cores or more; on one, the same restores run in the main thread. */
const CORES = availableParallelism();

interface Report {
  files: number;
  identical: number;
  renamed: number;
  workers: number;
  errors: { path: string; error: string }[];
}

describe('vault restores through worker threads', () => {
  let work: string;
  let home: string;
  let src: string;
  let want: TreeState;
  let s3: S3rverHarness;

  beforeAll(async () => {
    if (CORES < 2) console.log(`restore-workers: ${CORES} core here, so restores run in the main thread`);
    work = await mkdtemp(join(tmpdir(), 'strata-restore-workers-'));
    home = join(work, 'home');
    src = join(work, 'src');
    for (let i = 0; i < 150; i++) await put(src, `notes/d${i % 7}/n${i}.txt`, `note ${i}\n`.repeat(1 + (i % 50)));
    for (let i = 0; i < 6; i++) await put(src, `media/clip-${i}.bin`, randomBytes(4 * MiB + i));
    await chmod(join(src, 'notes/d0/n0.txt'), 0o600);
    await chmod(join(src, 'notes/d1/n1.txt'), 0o755);
    want = await treeState(src, { modes: true });
    s3 = await startS3rver(['restore-workers']);
    await cliOk(['source', 'add', 'local', 'docs', src], { home });
    await cliOk(['dest', 'add', 'local', 'vault', join(work, 'vault'), '--layout', 'vault'], {
      home,
      env: { STRATA_REPO_PASSPHRASE: PASSPHRASE },
    });
    await cliOk([...s3DestArgs('cloud', s3.endpoint, 'restore-workers'), '--layout', 'vault'], {
      home,
      env: { STRATA_SECRET_ACCESS_KEY: 'S3RVER', STRATA_REPO_PASSPHRASE: PASSPHRASE },
    });
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'vault,cloud'], { home });
    await cliOk(['backup'], { home });
  }, 120_000);

  afterAll(async () => {
    await s3?.stop();
    await rm(work, { recursive: true, force: true });
  });

  async function restore(dest: string, to: string, ...args: string[]): Promise<{ code: number; report: Report }> {
    const r = await runCli(['restore', dest, 'latest', '--to', to, '--json', ...args], { home });
    return { code: r.code, report: resultOf<{ report: Report }>(r.stdout).report };
  }

  const noTempLeft = async (dir: string) =>
    expect((await readdir(dir, { recursive: true })).filter((n) => /\.strata-restore-/.test(n))).toEqual([]);

  it.each(['vault', 'cloud'])(
    'restores from %s byte for byte with modes; again, every file is identical',
    async (dest) => {
      const to = join(work, `to-${dest}`);
      const first = await restore(dest, to);
      expect(first.code).toBe(0);
      expect(first.report.errors).toEqual([]);
      expect(first.report.files).toBe(156);
      // One per core from a local disk, one more from a bucket (a thread waiting on a read leaves its core).
      expect(first.report.workers).toBe(CORES < 2 ? 0 : Math.min(4, dest === 'vault' ? CORES : CORES + 1));
      expect(diffTrees(want, await treeState(to, { modes: true }))).toEqual([]);
      const mtime = (await stat(join(src, 'media/clip-3.bin'))).mtimeMs;
      // Manifests keep milliseconds.
      const restored = (await stat(join(to, 'media/clip-3.bin'))).mtimeMs;
      expect(Math.abs(restored - Math.floor(mtime))).toBeLessThan(0.01);
      const again = await restore(dest, to);
      expect(again.report).toMatchObject({ files: 0, identical: 156, errors: [] });
      await noTempLeft(to);
    },
  );

  it('applies the conflict rules: keep-both beside a changed file, overwrite replaces it', async () => {
    const to = join(work, 'to-vault');
    await writeFile(join(to, 'notes/d2/n2.txt'), 'edited here\n');
    const kept = await restore('vault', to, '--conflict', 'keep-both');
    expect(kept.report).toMatchObject({ files: 1, renamed: 1, identical: 155, errors: [] });
    expect(await readFile(join(to, 'notes/d2/n2.txt'), 'utf8')).toBe('edited here\n');
    expect(await readFile(join(to, 'notes/d2/n2 (restored 1).txt'), 'utf8')).toBe(
      await readFile(join(src, 'notes/d2/n2.txt'), 'utf8'),
    );
    await rm(join(to, 'notes/d2/n2 (restored 1).txt'));
    const over = await restore('vault', to, '--conflict', 'overwrite');
    expect(over.report.errors).toEqual([]);
    expect(diffTrees(want, await treeState(to, { modes: true }))).toEqual([]);
  });

  it('a restore killed part-way completes when run again', async () => {
    const to = join(work, 'to-killed');
    const child = startCli(['restore', 'vault', 'latest', '--to', to, '--json'], { home });
    child.stderr!.resume();
    // Killed at its first progress line with bytes written, or whenever it ends first.
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (c: Buffer) => {
        if (/"bytesDone":[1-9]/.test(c.toString())) child.kill('SIGKILL');
      });
      child.on('close', () => resolve());
    });
    const after = await restore('vault', to);
    expect(after.code).toBe(0);
    expect(after.report.errors).toEqual([]);
    expect(diffTrees(want, await treeState(to, { modes: true }))).toEqual([]);
    await noTempLeft(to);
  });

  it('a damaged pack fails only the files that use it: no partial file, no temp file', async () => {
    // The smallest pack: the notes' chunks, so some files fail and the large ones still restore.
    await withDamagedPack(join(work, 'vault'), 'smallest', 1 / 3, async () => {
      const to = join(work, 'to-damaged');
      const r = await restore('vault', to);
      expect(r.code).not.toBe(0);
      expect(r.report.errors.length).toBeGreaterThan(0);
      for (const e of r.report.errors) expect(e.error).toMatch(/damaged/);
      const failed = new Set(r.report.errors.map((e) => e.path));
      const got = await treeState(to, { modes: true });
      for (const [path, value] of want) {
        if (failed.has(path)) expect(got.has(path), path).toBe(false);
        else expect(got.get(path), path).toBe(value);
      }
      await noTempLeft(to);
    });
  });
});
