/**
 * A large file restored by several worker threads at once (restore.ts splitForWorkers): each writes
 * its part of the file at its offset, and the main thread sets the mode and time and places it.
 * Driven through the CLI process from a local vault: byte for byte with its mode and mtime; a damaged
 * chunk in one part fails that file alone, leaving neither a partial file nor a temp file.
 */
import { chmod, mkdtemp, readdir, rm, stat, utimes } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOk, resultOf, runCli } from '../support/cli.js';
import { withDamagedPack } from '../support/damage-pack.js';
import { diffTrees, put, randomBytes, treeState, type TreeState } from '../support/tree.js';

const MiB = 1024 * 1024;
const PASSPHRASE = 'split restore vault';
const CORES = availableParallelism();

interface Report {
  files: number;
  workers: number;
  errors: { path: string; error: string }[];
}

describe('a large file restored by several workers', () => {
  let work: string;
  let home: string;
  let src: string;
  let want: TreeState;
  const mtime = new Date('2023-05-06T07:08:09.000Z');

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-restore-split-'));
    home = join(work, 'home');
    src = join(work, 'src');
    for (let i = 0; i < 80; i++) await put(src, `notes/n${i}.txt`, `note ${i}\n`.repeat(1 + i));
    await put(src, 'video/long.mp4', randomBytes(56 * MiB + 12345));
    await chmod(join(src, 'video/long.mp4'), 0o640);
    await utimes(join(src, 'video/long.mp4'), mtime, mtime);
    want = await treeState(src, { modes: true });
    await cliOk(['source', 'add', 'local', 'docs', src], { home });
    await cliOk(['dest', 'add', 'local', 'vault', join(work, 'vault'), '--layout', 'vault'], {
      home,
      env: { STRATA_REPO_PASSPHRASE: PASSPHRASE },
    });
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'vault'], { home });
    await cliOk(['backup'], { home });
  }, 120_000);

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function restore(to: string): Promise<Report> {
    const r = await runCli(['restore', 'vault', 'latest', '--to', to, '--json'], { home });
    return resultOf<{ report: Report }>(r.stdout).report;
  }

  it('restores it byte for byte with its mode and time', async () => {
    const to = join(work, 'to');
    const report = await restore(to);
    expect(report.errors).toEqual([]);
    expect(report.files).toBe(81);
    if (CORES >= 2) expect(report.workers).toBeGreaterThanOrEqual(2);
    expect(diffTrees(want, await treeState(to, { modes: true }))).toEqual([]);
    expect((await stat(join(to, 'video/long.mp4'))).mtime.toISOString()).toBe(mtime.toISOString());
    expect((await readdir(to)).filter((n) => n.startsWith('.strata-restore-'))).toEqual([]);
  });

  it('a damaged chunk in one part fails that file alone: no partial file, no temp file', async () => {
    // The largest pack holds only the video's chunks (the notes fit in a small one).
    await withDamagedPack(join(work, 'vault'), 'largest', 1 / 2, async () => {
      const to = join(work, 'to-damaged');
      const report = await restore(to);
      expect(report.errors.map((e) => e.path)).toEqual(['video/long.mp4']);
      expect(report.errors[0]!.error).toMatch(/damaged/);
      expect(report.files).toBe(80);
      await expect(stat(join(to, 'video/long.mp4'))).rejects.toThrow(/ENOENT/);
      expect((await readdir(to, { recursive: true })).filter((n) => /\.strata-restore-/.test(n))).toEqual([]);
    });
  });
});
