/**
 * Many writers, no locks: two machines (two STRATA_HOMEs, each its own `strata` processes) back up
 * into one vault on s3rver round after round, each pruning its own history as it goes, while a
 * third machine prunes the same vault over and over. Content is shared between the machines and
 * comes back after being deleted, so packs are condemned, rescued, repacked and deleted while
 * backups use them. Afterwards every remaining snapshot of both machines restores byte for byte to
 * what it recorded, and a deep verification reads every chunk; then the collections finish with
 * nothing running and everything is checked again.
 */
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { cliEnv, runCli, resultOf, s3DestArgs, type CliResult } from '../support/cli.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { put, randomBytes, treeState } from '../support/tree.js';

const BUCKET = 'vault-concurrency';
const ROUNDS = 5;
const PASSPHRASE = 'shared by the office';
const KiB = 1024;

type TreeState = Awaited<ReturnType<typeof treeState>>;

describe('one vault, two machines backing up and a third pruning, all at once', () => {
  let work: string;
  let s3: S3rverHarness;
  let slow: FaultProxy;
  const pool: Buffer[] = [];
  const env = () => ({
    STRATA_REPO_PASSPHRASE: PASSPHRASE,
    STRATA_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  });
  const homeOf = (m: string) => join(work, `home-${m}`);
  const srcOf = (m: string) => join(work, `src-${m}`);
  const cli = (m: string, args: string[]): Promise<CliResult> => runCli(args, { home: homeOf(m), env: env() });
  const ok = async (m: string, args: string[]): Promise<string> => {
    const r = await cli(m, args);
    if (r.code !== 0) throw new Error(`${m}: strata ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
    return r.stdout;
  };

  beforeAll(async () => {
    s3 = await startS3rver([BUCKET]);
    // The backing-up machines reach the bucket through a proxy that answers pack uploads late, so a
    // backup stays between reading the index and writing its manifest while several prunes run.
    slow = await startFaultProxy({ target: s3.endpoint });
    slow.inject({
      when: (req) => req.method === 'PUT' && req.path.includes('/packs/'),
      fault: { kind: 'slow', delayMs: 3000 },
      times: 1_000_000,
    });
    work = await mkdtemp(join(tmpdir(), 'strata-vault-conc-'));
    // Random content of varied sizes, picked by both machines: shared chunks, and content that comes back.
    for (let i = 0; i < 10; i++) pool.push(randomBytes(200 * KiB + i * 97 * KiB));
    // The vault is created with the cheapest key derivation Strata accepts, so each process opens it fast.
    const seed = Engine.open({
      home: homeOf('seed'),
      env: cliEnv({ home: homeOf('seed') }),
      vaultKdf: { unsafeFastKdfForTests: { N: 16384 } },
    });
    try {
      const { kind: _k, ...cloud } = s3.config(BUCKET);
      await seed.addS3Destination('shared', cloud, S3RVER_CREDENTIALS.secretAccessKey, { passphrase: PASSPHRASE });
    } finally {
      seed.close();
    }
    for (const m of ['a', 'b', 'p']) {
      await ok(m, [...s3DestArgs('shared', m === 'p' ? s3.endpoint : slow.endpoint, BUCKET), '--layout', 'vault']);
    }
    for (const m of ['a', 'b']) {
      await put(srcOf(m), 'readme.txt', `machine ${m}\n`);
      await ok(m, ['source', 'add', 'local', `docs-${m}`, srcOf(m)]);
      await ok(m, ['policy', 'set', `docs-${m}`, '/', '--to', 'shared']);
      await ok(m, ['retention', 'set', 'shared', '--keep-last', '2']);
    }
  }, 120_000);

  afterAll(async () => {
    await slow?.stop();
    await s3?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Round r of machine m: some shared files change, one goes, one new random file arrives. */
  async function change(m: string, mi: number, r: number): Promise<void> {
    for (let k = 0; k < 4; k++)
      await writeFile(join(srcOf(m), `shared-${k}.bin`), pool[(r * 3 + k + mi) % pool.length]!);
    await unlink(join(srcOf(m), `fresh-${r - 2}.bin`)).catch(() => undefined);
    await put(srcOf(m), `fresh-${r}.bin`, randomBytes(150 * KiB + r * 31 * KiB));
  }

  it('keeps every snapshot whole and deletes only what none uses', async () => {
    const recorded = new Map<string, TreeState>();
    const failures: string[] = [];
    let running = 2;
    /** Done, or (exit 3) stepped back because another machine's prune was collecting. */
    const stepsBack = (p: CliResult): boolean =>
      p.code === 0 || (p.code === 3 && /another prune is collecting unused packs/.test(p.stdout));
    const collected = { deleted: 0, condemned: 0, rescued: 0, waited: 0 };
    const tally = (stdout: string): void => {
      for (const r of resultOf<{ reports?: { outcome?: { vault?: Record<string, number> } }[] }>(stdout).reports ??
        []) {
        const v = r.outcome?.vault;
        if (!v) continue;
        collected.deleted += v['packsDeleted']!;
        collected.condemned += v['packsCondemned']!;
        collected.rescued += v['packsRescued']!;
        collected.waited += v['packsWaiting']! > 0 ? 1 : 0;
      }
    };

    const machine = async (m: string, mi: number): Promise<void> => {
      try {
        for (let r = 0; r < ROUNDS; r++) {
          await change(m, mi, r);
          const b = await cli(m, ['backup', '--json']);
          const result = resultOf<{ results?: { snapshotId?: string; status: string; error?: string }[] }>(b.stdout);
          const mine = result.results?.[0];
          if (b.code !== 0 || mine?.status !== 'ok' || !mine.snapshotId) {
            failures.push(`${m} round ${r} backup: exit ${b.code} ${mine?.error ?? b.stderr}`);
            continue;
          }
          recorded.set(mine.snapshotId, await treeState(srcOf(m)));
          const p = await cli(m, ['prune', '--dest', 'shared', '--grace', '0', '--json']);
          if (!stepsBack(p)) failures.push(`${m} round ${r} prune: exit ${p.code} ${p.stderr}${p.stdout}`);
          else tally(p.stdout);
        }
      } finally {
        running--;
      }
    };
    const pruner = async (): Promise<number> => {
      let prunes = 0;
      while (running > 0) {
        const p = await cli('p', ['prune', '--dest', 'shared', '--grace', '0', '--json']);
        if (!stepsBack(p)) failures.push(`p prune: exit ${p.code} ${p.stderr}${p.stdout}`);
        else tally(p.stdout);
        prunes++;
      }
      return prunes;
    };
    const [, , prunes] = await Promise.all([machine('a', 0), machine('b', 1), pruner()]);
    expect(failures).toEqual([]);
    expect(prunes).toBeGreaterThan(2);
    // The collections did real work while backups ran: packs were condemned and deleted meanwhile.
    console.log(`concurrent phase: ${prunes} third-machine prunes; packs ${JSON.stringify(collected)}`);
    expect(collected.condemned).toBeGreaterThan(0);
    expect(collected.deleted).toBeGreaterThan(0);

    const checkAll = async (label: string): Promise<void> => {
      for (const m of ['a', 'b']) {
        const listed = resultOf<{ snapshots: { snapshotId: string; sourceName: string }[] }>(
          await ok(m, ['snapshots', '--dest', 'shared', '--json']),
        ).snapshots.filter((s) => s.sourceName === `docs-${m}`);
        // keep-last 2, applied by the machine's own prune after its last backup.
        expect(listed.length, `${label}: ${m}'s snapshots`).toBe(2);
        for (const s of listed) {
          const to = join(work, `${label}-${m}-${s.snapshotId}`);
          await ok(m, ['restore', 'shared', s.snapshotId, '--source', `docs-${m}`, '--to', to]);
          expect(await treeState(to), `${label}: ${m} ${s.snapshotId}`).toEqual(recorded.get(s.snapshotId));
        }
      }
      const v = resultOf<{ status: string; problems: unknown[] }>(
        await ok('p', ['verify', 'shared', '--deep', '--sample', '100', '--json']),
      );
      expect(v.problems, label).toEqual([]);
      expect(v.status).toBe('ok');
    };
    await checkAll('during');

    // With nothing running, two more collections delete every condemned pack.
    await ok('p', ['prune', '--dest', 'shared', '--grace', '0']);
    const last = await ok('p', ['prune', '--dest', 'shared', '--grace', '0', '--json']);
    const vault = resultOf<{ reports: { outcome: { vault: { packsWaiting: number; packsCondemned: number } } }[] }>(
      last,
    ).reports[0]!.outcome.vault;
    expect(vault).toMatchObject({ packsWaiting: 0, packsCondemned: 0 });
    await checkAll('after');
  }, 600_000);
});
