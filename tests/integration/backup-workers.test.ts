/**
 * Vault backups read by worker threads (backup-workers.ts), driven through the CLI process (the
 * built CLI has the worker script beside it): small, medium, large, empty, duplicate and
 * non-UTF-8-named files into a local vault and into one on s3rver, restored byte for byte and
 * verified deep; an edit in the middle of a large file stores only the chunks around it; an
 * unchanged tree starts no thread; a run cancelled in the app's host leaves the files its workers
 * were reading pending, not failed; a file that keeps changing while a worker reads it fails alone,
 * with the reason, and the rest of the snapshot restores; a tree of small files leaves a core to
 * the main thread.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOk, resultOf, runCli, s3DestArgs } from '../support/cli.js';
import { waitForIdle, waitForRunOk } from '../support/host-runs.js';
import { startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { startServe } from '../support/serve-host.js';
import { diffTrees, put, randomBytes, treeState, type TreeState } from '../support/tree.js';

const MiB = 1024 * 1024;
const PASSPHRASE = 'worker backup vault';
/**
 * Workers run on two cores or more, one per core up to four; on one core the main thread reads.
 * A backup starts with one core left to the main thread and adds threads once a large file comes.
 */
const CORES = availableParallelism();
const THREADS = CORES < 2 ? 0 : Math.min(4, CORES);
const FIRST = Math.min(THREADS, CORES - 1);
const S3_ENV = { STRATA_SECRET_ACCESS_KEY: 'S3RVER', STRATA_REPO_PASSPHRASE: PASSPHRASE };

interface Outcome {
  status: string;
  workers: number;
  results: { destName: string; status: string; filesFailed: number; storedBytes?: number; bytesTotal: number }[];
  problems: { path: string; error: string }[];
}

describe('vault backups through worker threads', () => {
  let work: string;
  let home: string;
  let src: string;
  let want: TreeState;
  let s3: S3rverHarness;
  const medium = randomBytes(3 * MiB + 17);

  beforeAll(async () => {
    if (CORES < 2) console.log(`backup-workers: ${CORES} core here, so files are read in the main thread`);
    work = await mkdtemp(join(tmpdir(), 'strata-backup-workers-'));
    home = join(work, 'home');
    src = join(work, 'src');
    for (let i = 0; i < 300; i++) await put(src, `notes/d${i % 9}/n${i}.txt`, `note ${i}\n`.repeat(1 + (i % 70)));
    for (let i = 0; i < 3; i++) await put(src, `media/clip-${i}.bin`, randomBytes(3 * MiB + i));
    await put(src, 'media/copy-a.bin', medium);
    await put(src, 'media/copy-b.bin', medium); // the same content: stored once
    await put(src, 'big/disk.img', randomBytes(24 * MiB + 5));
    await put(src, 'empty.txt', '');
    // A name that is not UTF-8 reaches the worker as raw bytes.
    await writeFile(Buffer.concat([Buffer.from(join(src, 'notes/')), Buffer.from([0x63, 0x61, 0x66, 0xe9])]), 'café');
    want = await treeState(src);
    s3 = await startS3rver(['backup-workers']);
    await cliOk(['source', 'add', 'local', 'docs', src], { home });
    await cliOk(['dest', 'add', 'local', 'vault', join(work, 'vault'), '--layout', 'vault'], {
      home,
      env: { STRATA_REPO_PASSPHRASE: PASSPHRASE },
    });
    await cliOk([...s3DestArgs('cloud', s3.endpoint, 'backup-workers'), '--layout', 'vault'], { home, env: S3_ENV });
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'vault,cloud'], { home });
  }, 120_000);

  afterAll(async () => {
    await s3?.stop();
    await rm(work, { recursive: true, force: true });
  });

  async function backup(...args: string[]): Promise<{ code: number; out: Outcome }> {
    const r = await runCli(['backup', '--json', ...args], { home, env: S3_ENV });
    return { code: r.code, out: resultOf<Outcome>(r.stdout) };
  }

  // One destination per run: a file bound for a vault alone is what goes to the workers.
  it.each(['vault', 'cloud'])(
    'backs up into %s on worker threads; it restores byte for byte and verifies deep',
    async (dest) => {
      const { code, out } = await backup('--dest', dest);
      expect(code).toBe(0);
      expect(out.problems).toEqual([]);
      expect(out.workers).toBe(THREADS);
      const r = out.results[0]!;
      expect(r.status).toBe('ok');
      // The duplicate file and the repeated note lines are stored once, compressed.
      expect(r.storedBytes!).toBeLessThan(r.bytesTotal - medium.length);

      const to = join(work, `to-${dest}`);
      await cliOk(['restore', dest, 'latest', '--to', to], { home, env: S3_ENV });
      expect(diffTrees(want, await treeState(to))).toEqual([]);
      const verify = await runCli(['verify', dest, '--deep'], { home, env: S3_ENV });
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    },
    180_000,
  );

  it('stores only the chunks around an edit in a large file, and starts no thread for an unchanged tree', async () => {
    const same = await backup('--dest', 'vault');
    expect(same.code).toBe(0);
    expect(same.out.workers).toBe(0);
    expect(same.out.results[0]!.storedBytes!).toBeLessThan(64 * 1024);

    const f = await open(join(src, 'big/disk.img'), 'r+');
    await f.write(randomBytes(MiB), 0, MiB, 12 * MiB);
    await f.close();
    const edited = await backup('--dest', 'vault');
    expect(edited.code).toBe(0);
    expect(edited.out.workers).toBe(THREADS);
    expect(edited.out.results[0]!.storedBytes!).toBeLessThan(8 * MiB);

    const to = join(work, 'to-edited');
    await cliOk(['restore', 'vault', 'latest', '--to', to], { home });
    expect(diffTrees(await treeState(src), await treeState(to))).toEqual([]);
  }, 180_000);

  it('a cancelled run gives up the files its workers were reading, leaving them pending; the next run completes', async () => {
    for (let i = 0; i < 4; i++) await put(src, `cancel/big-${i}.bin`, randomBytes(12 * MiB));
    const host = await startServe(home, S3_ENV);
    try {
      // Slow enough (the limit paces each pack) to be cancelled while workers read.
      await host.call('settings.set', { bandwidthLimit: 2_000_000 });
      const { runId } = await host.call<{ runId: number }>('runs.start', { destinations: ['vault'] });
      await new Promise((r) => setTimeout(r, 2500));
      expect(await host.call('runs.cancel')).toEqual({ cancelled: true });
      await waitForIdle(host.call.bind(host));
      const runs = await host.call<{ id: number; status: string }[]>('runs.list', { limit: 1 });
      expect(runs[0]).toMatchObject({ id: runId, status: 'cancelled' });
      const log = await host.call<{ lines: { path: string | null; message: string }[] }>('runs.log', {
        runId,
        level: 'problems',
        offset: 0,
        limit: 100,
      });
      // No file was failed for the cancel: those in progress are simply sent again next time.
      expect(log.lines.filter((l) => l.path)).toEqual([]);
      await host.call('settings.set', { bandwidthLimit: null });
      const next = await host.call<{ runId: number }>('runs.start', { destinations: ['vault'] });
      await waitForRunOk(host.call.bind(host), (rows) => rows.find((r) => r.id === next.runId), 120_000);
    } finally {
      await host.stop();
    }
    const to = join(work, 'to-after-cancel');
    await cliOk(['restore', 'vault', 'latest', '--to', to], { home });
    expect(diffTrees(await treeState(src), await treeState(to))).toEqual([]);
  }, 240_000);

  it('fails a file that keeps changing while a worker reads it, alone and with the reason', async () => {
    const growing = join(src, 'growing.log');
    await writeFile(growing, randomBytes(48 * MiB));
    // Another process appends to the file for as long as the backup runs.
    const writer = spawn(process.execPath, [
      '-e',
      `const fs=require('fs');setInterval(()=>fs.appendFileSync(${JSON.stringify(growing)},'x'),1)`,
    ]);
    let out: Outcome;
    try {
      const r = await backup('--dest', 'vault');
      expect(r.code).toBe(3);
      out = r.out;
    } finally {
      writer.kill('SIGKILL');
    }
    expect(out.workers).toBe(THREADS);
    expect(out.problems).toEqual([
      expect.objectContaining({
        path: 'growing.log',
        error: expect.stringContaining('changed while it was being read'),
      }),
    ]);
    expect(out.results[0]!.filesFailed).toBe(1);
    await rm(growing);
    const to = join(work, 'to-partial');
    await cliOk(['restore', 'vault', 'latest', '--to', to], { home });
    expect(diffTrees(await treeState(src), await treeState(to))).toEqual([]);
  }, 180_000);

  it('leaves a core to the main thread for a tree of small files', async () => {
    const notes = join(work, 'small-notes');
    for (let i = 0; i < 400; i++) await put(notes, `n${i % 7}/note-${i}.txt`, randomBytes(2000 + i * 37));
    await cliOk(['source', 'add', 'local', 'notes', notes], { home });
    await cliOk(['policy', 'set', 'notes', '/', '--to', 'vault'], { home });
    const r = await runCli(['backup', '--json', '--source', 'notes'], { home, env: S3_ENV });
    expect(r.code, r.stderr).toBe(0);
    const out = resultOf<Outcome>(r.stdout);
    expect(out.workers).toBe(FIRST);
    expect(out.results.map((x) => [x.destName, x.status])).toEqual([['vault', 'ok']]);
    const to = join(work, 'to-notes');
    await cliOk(['restore', 'vault', 'latest', '--source', 'notes', '--to', to], { home });
    expect(diffTrees(await treeState(notes), await treeState(to))).toEqual([]);
  }, 180_000);
});
