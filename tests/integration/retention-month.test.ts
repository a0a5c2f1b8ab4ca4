/**
 * A simulated month against s3rver with the clock in the test's hands: a daily schedule fires
 * through the real scheduler and service, each run backs up the day's changes and applies
 * retention (7 daily + 2 weekly); afterwards exactly the promised snapshots exist, every one
 * restores byte for byte, and no history/ object is left that no kept snapshot needs. Then a
 * backup runs while a prune collects (a second engine with its own data folder, as a
 * `strata daemon` on another machine continuing the same series), and every remaining snapshot still restores.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { openDestination } from '../../electron/engine/destinations/open-destination.js';
import { MemoryStore } from '../../electron/engine/secrets/memory-store.js';
import { StrataService } from '../../electron/engine/service.js';
import { FakeClock } from '../support/fake-clock.js';
import { s3DestinationConfig, S3RVER_CREDENTIALS, startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { bytes, put, treeState, type TreeState } from '../support/tree.js';
import { waitUntil } from '../support/wait-until.js';

const DAY = 86_400_000;
const BUCKET = 'strata-month';

describe('a month of scheduled backups with retention, against s3rver', () => {
  let s3: S3rverHarness;
  let work: string;
  let src: string;
  let clock: FakeClock;
  let engine: Engine;
  let service: StrataService;
  const secrets = new MemoryStore();
  const states = new Map<string, TreeState>();
  let finished = 0;

  beforeAll(async () => {
    s3 = await startS3rver([BUCKET]);
    work = await mkdtemp(join(tmpdir(), 'strata-month-'));
    src = join(work, 'files');
    await put(src, 'stable/readme.txt', 'never changes\n');
    await put(src, 'daily/log.txt', 'day 0\n');
    await put(src, 'photos/big.bin', bytes(300_000, 1));
    clock = new FakeClock(Date.parse('2026-05-01T12:00:00Z'));
    engine = Engine.open({
      home: join(work, 'home'),
      secrets,
      timeZone: 'UTC',
      now: () => clock.now(),
      // The grace period is what protects a concurrent writer in real life; with it at zero,
      // only the reference logic keeps content alive, which is what this test proves.
      pruneGraceMs: 0,
    });
    await engine.addLocalSource('files', src);
    const { kind: _kind, ...cfg } = s3DestinationConfig(s3.endpoint, BUCKET, 'month');
    await engine.addS3Destination('cloud', cfg, S3RVER_CREDENTIALS.secretAccessKey);
    engine.setPolicy('files', '', ['cloud']);
    engine.setSchedule('cloud', { kind: 'daily', time: '02:00' });
    engine.setRetention('cloud', { keepDaily: 7, keepWeekly: 2 });
    service = new StrataService(engine, { host: 'headless', clock, catchUpDelayMs: 0, statusIntervalMs: 60_000 });
    service.subscribe((event, data) => {
      if (event !== 'run.finished') return;
      const runId = (data as { runId: number }).runId;
      const snap = engine.runs.resultsOf(runId).find((r) => r.snapshotId)?.snapshotId;
      if (snap) states.set(snap, current);
      finished++;
    });
    service.startScheduler();
  }, 60_000);

  afterAll(async () => {
    await service?.shutdown();
    engine?.close();
    await s3?.stop();
  });

  let current: TreeState = new Map();

  it('runs once a day for 30 days and keeps 7 daily + 2 weekly snapshots', async () => {
    for (let day = 1; day <= 30; day++) {
      // The day's changes: a log rewritten daily, a file added every third day, one deleted every fifth.
      await put(src, 'daily/log.txt', `day ${day}\n`.repeat(day));
      if (day % 3 === 0) await put(src, `added/day-${day}.txt`, `added on day ${day}\n`);
      if (day % 5 === 0) await rm(join(src, `added/day-${day - 2}.txt`), { force: true });
      if (day === 10) await put(src, 'photos/big.bin', bytes(300_000, 2));
      current = await treeState(src);
      const before = finished;
      await clock.advance(DAY);
      await waitUntil(() => finished > before);
    }
    expect(finished).toBe(30);
    const snaps = await engine.listSnapshots('cloud');
    const days = snaps.map((s) => s.time.toISOString().slice(0, 10));
    // Slots at 02:00 UTC from May 2 to May 31. Daily: May 25-31; weekly (ISO weeks): May 31 (week 22) and May 24 (week 21).
    expect(days).toEqual([
      '2026-05-24',
      '2026-05-25',
      '2026-05-26',
      '2026-05-27',
      '2026-05-28',
      '2026-05-29',
      '2026-05-30',
      '2026-05-31',
    ]);
    const runs = engine.runs.recentRuns(40);
    expect(runs.filter((r) => r.trigger === 'schedule')).toHaveLength(30);
    expect(runs.every((r) => r.status === 'ok')).toBe(true);
  }, 300_000);

  it('restores every kept snapshot exactly, and no unreferenced history/ object remains', async () => {
    const snaps = await engine.listSnapshots('cloud');
    const needed = new Set<string>();
    for (const s of snaps) {
      const to = await mkdtemp(join(work, 'restore-'));
      const report = await engine.restore({ dest: 'cloud', snapshot: s.snapshotId, to });
      expect(report.errors).toEqual([]);
      const got = await treeState(to);
      expect(got).toEqual(states.get(s.snapshotId));
      for (const [path, what] of got) {
        if (!what.startsWith('file:')) continue;
        const sha = createHash('sha256')
          .update(await readFile(join(to, path)))
          .digest('hex');
        needed.add(`history/files/${path}/${sha}`);
      }
    }
    const rec = engine.catalog.destination('cloud');
    const dest = await openDestination(rec.name, rec.id, rec.config, async () => secrets);
    const history: string[] = [];
    for await (const o of dest.list('history/')) history.push(o.key);
    await dest.close();
    expect(history.length).toBeGreaterThan(0);
    expect(history.filter((k) => !needed.has(k))).toEqual([]);
    // A prune now finds nothing to do.
    const again = await engine.prune('cloud', { dryRun: true });
    expect({ remove: again.remove, historyObjects: again.historyObjects }).toEqual({ remove: 0, historyObjects: 0 });
  }, 120_000);

  it('a backup running while a prune collects loses nothing', async () => {
    await service.shutdown();
    engine.setRetention('cloud', { keepLast: 1 });
    // The next backup rewrites and deletes files (moving their old content into history/)
    // while a second engine on the same data folder prunes.
    for (let i = 0; i < 40; i++) await put(src, `churn/file-${i}.bin`, bytes(100_000, 1000 + i));
    clock.sleep(DAY);
    await engine.backup({});
    const kept = await engine.listSnapshots('cloud');
    for (let i = 0; i < 40; i++) {
      if (i % 2) await rm(join(src, `churn/file-${i}.bin`));
      else await put(src, `churn/file-${i}.bin`, bytes(100_000, 2000 + i));
    }
    const finalState = await treeState(src);
    clock.sleep(DAY);
    // Another machine (its own data folder) that continues the same series and prunes it.
    const other = Engine.open({
      home: join(work, 'other-machine'),
      secrets,
      timeZone: 'UTC',
      now: () => clock.now(),
      pruneGraceMs: 0,
    });
    try {
      await other.addLocalSource('files', src, engine.catalog.source('files').id);
      const { kind: _k, ...cfg } = s3DestinationConfig(s3.endpoint, BUCKET, 'month');
      await other.addS3Destination('cloud', cfg, S3RVER_CREDENTIALS.secretAccessKey);
      other.setRetention('cloud', { keepLast: 1 });
      let backupDone = false;
      let backupRanDuringPrune = false;
      const [backup, prune] = await Promise.all([
        engine.backup({ concurrency: 2, bandwidthLimit: 400_000 }).finally(() => (backupDone = true)),
        new Promise((r) => setTimeout(r, 150))
          .then(() => other.prune('cloud'))
          .finally(() => (backupRanDuringPrune = !backupDone)),
      ]);
      expect(backup.status).toBe('ok');
      expect(backupRanDuringPrune).toBe(true);
      expect(prune.outcome!.snapshotsRemoved).toBe(kept.length - 1);
      expect(prune.outcome!.objectsDeleted).toBeGreaterThan(0);
      const newest = backup.results[0]!.snapshotId!;
      states.set(newest, finalState);
      const snaps = await engine.listSnapshots('cloud');
      expect(snaps.map((s) => s.snapshotId)).toContain(newest);
      for (const s of snaps) {
        const to = await mkdtemp(join(work, 'after-race-'));
        const report = await engine.restore({ dest: 'cloud', snapshot: s.snapshotId, to });
        expect(report.errors).toEqual([]);
        if (states.has(s.snapshotId)) expect(await treeState(to)).toEqual(states.get(s.snapshotId));
      }
    } finally {
      other.close();
    }
  }, 180_000);
});
