import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOk, resultOf, runCli, startCli, s3DestArgs } from '../support/cli.js';
import { startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { bytes, diffTrees, put, randomBytes, treeState, type TreeState } from '../support/tree.js';

const MiB = 1024 * 1024;

/**
 * s3rver runs at about 100 MB/s on one core: its tree is smaller so the suite stays within CI's time.
 * Large files are random: a vault would compress and deduplicate patterned bytes to almost nothing.
 */
async function buildTree(root: string, largeMiB: number): Promise<void> {
  for (let i = 0; i < 6; i++) await put(root, `large/part-${i}.bin`, randomBytes(largeMiB * MiB + i));
  for (let i = 0; i < 300; i++) await put(root, `medium/m${i}.dat`, bytes(64 * 1024 + i, 1000 + i));
  for (let i = 0; i < 1200; i++) await put(root, `small/s${i % 12}/f${i}.txt`, `small ${i}\n`);
}

async function mutate(root: string, largeMiB: number): Promise<void> {
  await put(root, 'large/part-0.bin', randomBytes(largeMiB * MiB + 7));
  await put(root, 'large/part-3.bin', randomBytes(12 * MiB));
  for (let i = 0; i < 100; i++) await rm(join(root, `small/s${i % 12}/f${i}.txt`));
  for (let i = 100; i < 200; i++) await writeFile(join(root, `small/s${i % 12}/f${i}.txt`), `changed ${i}\n`);
  for (let i = 0; i < 200; i++) await put(root, `added/a${i}.txt`, `added ${i}\n`);
  await rm(join(root, 'medium/m5.dat'));
}

/** Starts a backup and SIGKILLs it after `ms`; resolves with how it ended. */
async function backupKilledAfter(home: string, ms: number, args: string[]): Promise<'killed' | 'finished'> {
  const child = startCli(['backup', '--json', ...args], { home });
  child.stdout!.resume();
  child.stderr!.resume();
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_c, s) => resolve(s)));
  clearTimeout(timer);
  return signal === 'SIGKILL' ? 'killed' : 'finished';
}

interface Snap {
  snapshotId: string;
}

/** A vault's key takes about a second to derive in each CLI process: kills wait that much longer. */
const KILL_DELAY: Record<string, number> = { local: 0, s3: 0, 'local vault': 1200 };
/**
 * The vault chunks a changed 40 MiB file in well under a second: its killed runs are held to a
 * bandwidth limit so the kills land part-way through on any machine. The runs that complete are not.
 */
const KILL_ARGS: Record<string, string[]> = { local: [], s3: [], 'local vault': ['--bwlimit', '8M'] };

describe.each(['local', 's3', 'local vault'] as const)('SIGKILL during backups to a %s destination', (kind) => {
  let work: string;
  let home: string;
  let src: string;
  let s3: S3rverHarness | undefined;
  const before: Snap[] = [];
  let state0: TreeState;
  const outcomes: string[] = [];
  const largeMiB = kind === 's3' ? 16 : 40;
  const delay = KILL_DELAY[kind]!;
  const killArgs = KILL_ARGS[kind]!;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), `strata-kill-${kind.replace(' ', '-')}-`));
    home = join(work, 'home');
    src = join(work, 'src');
    await buildTree(src, largeMiB);
    await cliOk(['source', 'add', 'local', 'docs', src], { home });
    if (kind === 's3') {
      s3 = await startS3rver(['strata-kill']);
      await cliOk(s3DestArgs('dst', s3.endpoint, 'strata-kill'), { home, env: { STRATA_SECRET_ACCESS_KEY: 'S3RVER' } });
    } else if (kind === 'local vault') {
      await cliOk(['dest', 'add', 'local', 'dst', join(work, 'dest'), '--layout', 'vault'], {
        home,
        env: { STRATA_REPO_PASSPHRASE: 'kill test vault' },
      });
    } else {
      await cliOk(['dest', 'add', 'local', 'dst', join(work, 'dest')], { home });
    }
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'dst'], { home });
  });

  afterAll(async () => {
    await s3?.stop();
    await rm(work, { recursive: true, force: true });
  });

  async function restoreEquals(snapshotId: string, expected: TreeState, label: string): Promise<void> {
    const to = join(work, `restore-${label}`);
    await rm(to, { recursive: true, force: true });
    const r = await runCli(['restore', 'dst', snapshotId, '--to', to], { home });
    expect(r.code, r.stderr).toBe(0);
    expect(diffTrees(expected, await treeState(to))).toEqual([]);
  }

  it('first runs killed part-way leave no half snapshot; the next run completes', async () => {
    for (const ms of [700, 1600]) outcomes.push(await backupKilledAfter(home, ms + delay, killArgs));
    const partial = resultOf<{ snapshots: Snap[] }>(await cliOk(['snapshots', '--json'], { home })).snapshots;
    // Whatever a killed run left, it is never a listed-but-broken snapshot.
    for (const s of partial) await restoreEquals(s.snapshotId, await treeState(src), `early-${s.snapshotId}`);
    const done = resultOf<{ status: string }>(await cliOk(['backup', '--json'], { home }));
    expect(done.status).toBe('ok');
    state0 = await treeState(src);
    before.push(...resultOf<{ snapshots: Snap[] }>(await cliOk(['snapshots', '--json'], { home })).snapshots);
    expect(before.length).toBeGreaterThanOrEqual(1);
  });

  it('kills while overwriting keep every earlier snapshot restorable', async () => {
    await mutate(src, largeMiB);
    for (const [i, ms] of [400, 1100, 2200].entries()) {
      outcomes.push(await backupKilledAfter(home, ms + delay, killArgs));
      await restoreEquals(before.at(-1)!.snapshotId, state0, `after-kill-${i}`);
    }
    const done = resultOf<{ status: string }>(await cliOk(['backup', '--json'], { home }));
    expect(done.status).toBe('ok');
    const state1 = await treeState(src);
    const all = resultOf<{ snapshots: Snap[] }>(await cliOk(['snapshots', '--json'], { home })).snapshots;
    for (const s of all) {
      const old = before.some((b) => b.snapshotId === s.snapshotId);
      await restoreEquals(s.snapshotId, old ? state0 : state1, `final-${s.snapshotId}`);
    }
    expect(outcomes.filter((o) => o === 'killed').length).toBeGreaterThanOrEqual(3);
    const st = resultOf<{ runs: { status: string }[] }>(await cliOk(['status', '--json'], { home }));
    expect(st.runs.some((r) => r.status === 'interrupted')).toBe(true);
  });
});
