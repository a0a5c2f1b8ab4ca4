/**
 * Verification against real stores: s3rver through the AWS SDK and a local disk. A quick
 * verification catches an object deleted behind Strata's back (and names the destination that
 * still holds it); a repair copies it across; bytes changed in s3rver's storage folder at the
 * same size pass a quick check (the metadata is intact) and are caught by a deep one and by a
 * restore; a deep sample rotates until every object was read; a failure opens the alert and a
 * clean verification closes it. The CLI is driven through its process.
 */
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { MemoryStore } from '../../electron/engine/secrets/memory-store.js';
import { StrataService } from '../../electron/engine/service.js';
import { FakeClock } from '../support/fake-clock.js';
import { cliEnv, cliOk, resultOf, runCli } from '../support/cli.js';
import { s3DestinationConfig, S3RVER_CREDENTIALS, startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { bytes, put, treeState } from '../support/tree.js';

const BUCKET = 'verify-copies';

describe('verification', () => {
  let s3: S3rverHarness;
  let client: S3Client;
  let work: string;
  let src: string;
  let engine: Engine;
  let service: StrataService;
  let home: string;
  const objectFile = (key: string) => join(s3.directory, BUCKET, `strata/${key}._S3rver_object`);

  beforeAll(async () => {
    s3 = await startS3rver([BUCKET]);
    client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
    });
    work = await mkdtemp(join(tmpdir(), 'strata-verify-'));
    src = join(work, 'docs');
    await put(src, 'a.txt', 'alpha\n');
    await put(src, 'sub/b.bin', bytes(300_000, 1));
    await put(src, 'sub/c.txt', 'gamma\n');
    for (let i = 0; i < 20; i++) await put(src, `many/f${i}.txt`, `file ${i}\n`);
    home = join(work, 'home');
    // The same secret vault as the CLI processes below.
    engine = Engine.open({ home, env: cliEnv({ home }) });
    service = new StrataService(engine, { host: 'headless' });
    await engine.addLocalSource('docs', src);
    await engine.addLocalDestination('disk', join(work, 'disk'));
    const { kind: _k, ...cloud } = s3DestinationConfig(s3.endpoint, BUCKET, 'strata');
    await engine.addS3Destination('cloud', cloud, S3RVER_CREDENTIALS.secretAccessKey);
    engine.setPolicy('docs', '', ['disk', 'cloud']);
    expect((await engine.backup({})).status).toBe('ok');
    // A second snapshot: a.txt's first version moves to history/.
    await put(src, 'a.txt', 'alpha, edited\n');
    expect((await engine.backup({})).status).toBe('ok');
  }, 60_000);

  afterAll(async () => {
    engine?.close();
    client?.destroy();
    await s3?.stop();
  });

  it('a quick verification of intact destinations passes and marks the snapshots verified', async () => {
    for (const dest of ['disk', 'cloud']) {
      const r = await engine.verify(dest);
      expect(r).toMatchObject({ status: 'ok', mode: 'quick', snapshots: 2, problems: [] });
      // 23 current files + the first version of a.txt.
      expect(r.objects).toBe(24);
    }
    const list = await service.handle('snapshots.list', { destination: 'cloud' });
    expect(list).toMatchObject({
      ok: true,
      result: [{ verified: { mode: 'quick', ok: true } }, { verified: { mode: 'quick', ok: true } }],
    });
  });

  it('catches a deleted object, names who still holds it, repairs it from there; the alert opens and closes', async () => {
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'strata/files/docs/sub/c.txt' }));
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'strata/history/docs/a.txt/' + sha('alpha\n') }));
    const r = await engine.verify('cloud');
    expect(r.status).toBe('failed');
    expect(r.problems.map((p) => [p.kind, p.path, p.repairableFrom]).sort()).toEqual([
      ['missing', 'a.txt', ['disk']],
      ['missing', 'sub/c.txt', ['disk']],
    ]);
    // The first snapshot lacks both; the second only c.txt: both are marked.
    expect(r.badSnapshotIds).toHaveLength(2);
    engine.checkAlerts();
    expect(engine.alerts.open().map((a) => a.kind)).toContain('verify-failed');

    // The CLI agrees (exit 1) and says how to fix it.
    const cli = await runCli(['verify', 'cloud'], { home });
    expect(cli.code).toBe(1);
    expect(cli.stdout).toMatch(/MISSING\s+sub\/c\.txt/);
    expect(cli.stdout).toContain('Fix: strata verify cloud --repair-from disk');

    const fixed = await engine.repairDestination('cloud', 'disk', r.id);
    expect(fixed).toEqual({ repaired: 2, failed: [] });
    expect((await engine.verify('cloud')).status).toBe('ok');
    engine.checkAlerts();
    expect(engine.alerts.open().map((a) => a.kind)).not.toContain('verify-failed');
    // Both snapshots restore again.
    const to = await mkdtemp(join(work, 'restore-'));
    const first = (await engine.listSnapshots('cloud'))[0]!.snapshotId;
    expect((await engine.restore({ dest: 'cloud', snapshot: first, to })).errors).toEqual([]);
    expect((await readFile(join(to, 'a.txt'), 'utf8')) + (await readFile(join(to, 'sub/c.txt'), 'utf8'))).toBe(
      'alpha\ngamma\n',
    );
  }, 60_000);

  it('bytes changed behind the metadata pass a quick check, fail a deep one and a restore, and are repaired', async () => {
    const file = objectFile('files/docs/sub/b.bin');
    const body = await readFile(file);
    body[1000] = body[1000]! ^ 0xff;
    await writeFile(file, body);
    expect((await engine.verify('cloud')).status).toBe('ok');
    const deep = await engine.verify('cloud', { deep: true });
    expect(deep.status).toBe('failed');
    expect(deep.objectsRead).toBe(24);
    expect(deep.problems).toEqual([
      expect.objectContaining({ kind: 'checksum', path: 'sub/b.bin', repairableFrom: ['disk'] }),
    ]);
    const to = await mkdtemp(join(work, 'restore-tampered-'));
    const restore = await engine.restore({ dest: 'cloud', snapshot: 'latest', to });
    expect(restore.errors.map((e) => e.path)).toEqual(['sub/b.bin']);
    expect(restore.errors[0]!.error).toMatch(/does not match its SHA-256/);

    expect(await engine.repairDestination('cloud', 'disk', deep.id)).toEqual({ repaired: 1, failed: [] });
    expect((await engine.verify('cloud', { deep: true })).status).toBe('ok');
    const again = await mkdtemp(join(work, 'restore-repaired-'));
    expect((await engine.restore({ dest: 'cloud', snapshot: 'latest', to: again })).errors).toEqual([]);
    expect(await treeState(again)).toEqual(await treeState(src));
  }, 60_000);

  it('a deep sample reads a different share each run until everything was read', async () => {
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await engine.verify('disk', { deep: true, samplePercent: 25 });
      expect(r.status).toBe('ok');
      expect(r.samplePercent).toBe(25);
      seen.push(r.objectsRead);
    }
    expect(seen.reduce((a, b) => a + b, 0)).toBe(24);
    expect(Math.max(...seen)).toBeLessThan(24);
  }, 60_000);

  it('a file gone from a local disk destination is caught too; the CLI prints JSON and exits 1', async () => {
    await rm(join(work, 'disk', 'files', 'docs', 'many', 'f3.txt'));
    const out = await runCli(['verify', 'disk', '--json'], { home });
    expect(out.code).toBe(1);
    const result = resultOf<{ status: string; problems: { path: string; kind: string; repairableFrom: string[] }[] }>(
      out.stdout,
    );
    expect(result.status).toBe('failed');
    expect(result.problems).toEqual([
      expect.objectContaining({ path: 'many/f3.txt', kind: 'missing', repairableFrom: ['cloud'] }),
    ]);
    expect(await cliOk(['verify', 'disk', '--repair-from', 'cloud'], { home })).toContain(
      'Repaired 1 version(s) from cloud',
    );
    expect(await cliOk(['verify', 'disk', '--deep'], { home })).toContain('OK: everything the snapshots reference');
    const bad = await runCli(['verify', 'disk', '--sample', '10%'], { home });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--sample needs --deep');
  }, 60_000);
});

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

describe('verification on a schedule', () => {
  it('verifies after a scheduled backup once the last verification is a week old, and logs it in the run', async () => {
    const work = await mkdtemp(join(tmpdir(), 'strata-verify-plan-'));
    const src = join(work, 'src');
    await put(src, 'a.txt', 'one\n');
    const clock = new FakeClock(Date.parse('2026-05-01T12:00:00Z'));
    const engine = Engine.open({
      home: join(work, 'home'),
      secrets: new MemoryStore(),
      timeZone: 'UTC',
      now: () => clock.now(),
    });
    await engine.addLocalSource('src', src);
    await engine.addLocalDestination('disk', join(work, 'disk'));
    engine.setPolicy('src', '', ['disk']);
    engine.setSchedule('disk', { kind: 'daily', time: '02:00' });
    const service = new StrataService(engine, { host: 'headless', clock, catchUpDelayMs: 0, statusIntervalMs: 60_000 });
    const plan = await service.handle('plans.set', {
      destination: 'disk',
      verify: { every: 'weekly', deep: true, samplePercent: 100 },
    });
    expect(plan).toMatchObject({
      ok: true,
      result: { verifySummary: 'weekly, deep (100% read each time), after a scheduled backup' },
    });
    let finished = 0;
    service.subscribe((event) => {
      if (event === 'run.finished') finished++;
    });
    service.startScheduler();
    try {
      for (let day = 1; day <= 9; day++) {
        await put(src, 'a.txt', `day ${day}\n`);
        const before = finished;
        await clock.advance(86_400_000);
        const end = Date.now() + 30_000;
        while (finished === before && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      }
      const reports = engine.verifications.list(engine.catalog.destination('disk').id, 10);
      // The first scheduled run verifies (never verified), the next once a week has passed (day 8 or 9).
      expect(reports.map((r) => [r.mode, r.status])).toEqual([
        ['deep', 'ok'],
        ['deep', 'ok'],
      ]);
      expect(reports[1]!.runId).not.toBeNull();
      const log = engine.runs.logOf(reports[1]!.runId!);
      expect(JSON.stringify(log)).toContain('verified (deep)');
    } finally {
      await service.shutdown();
      engine.close();
    }
  }, 60_000);
});
