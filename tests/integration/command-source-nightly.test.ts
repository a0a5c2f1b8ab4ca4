/**
 * The promise, end to end: "dump my PostgreSQL to B2 nightly, keep 7 daily + 4 weekly, and
 * restore it". A real PostgreSQL gains a row a day; a command source runs pg_dump into a B2-style
 * S3 destination (s3rver) on a daily schedule that fires through the real scheduler and service,
 * with the clock in the test's hands, for five weeks. One night the dump fails (the database is
 * away): that night leaves no snapshot and the previous one stays the latest. Afterwards exactly
 * the promised snapshots exist, and the latest and the oldest kept one each restore through
 * pg_restore to that night's rows.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/engine/engine.js';
import { MemoryStore } from '../../electron/engine/secrets/memory-store.js';
import { StrataService } from '../../electron/engine/service.js';
import { FakeClock } from '../support/fake-clock.js';
import { findPostgres, startPostgres, type PostgresServer } from '../support/postgres.js';
import { s3DestinationConfig, S3RVER_CREDENTIALS, startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { waitUntil } from '../support/wait-until.js';

const DAY = 86_400_000;
const BUCKET = 'strata-nightly';
const NIGHTS = 35;
/** The night the database is away (renamed) and pg_dump fails. */
const FAILING_NIGHT = 20;
const found = findPostgres();

// command-source.test.ts fails the run in CI when PostgreSQL is missing; here it skips saying why.
describe.skipIf('missing' in found)('a nightly PostgreSQL dump to B2 with 7 daily + 4 weekly kept', () => {
  let s3: S3rverHarness;
  let pg: PostgresServer;
  let work: string;
  let clock: FakeClock;
  let engine: Engine;
  let service: StrataService;
  /** Snapshot id → the night whose rows it holds. */
  const nightOf = new Map<string, number>();
  const finished: { runId: number; night: number }[] = [];
  let night = 0;

  const rowsIn = (db: string) => pg.sql(db, "SELECT count(*) || ':' || max(night) FROM readings").trim();

  beforeAll(async () => {
    if ('missing' in found) return;
    s3 = await startS3rver([BUCKET]);
    pg = await startPostgres(found.bin, 20000 + Math.floor(Math.random() * 20000));
    pg.sql('postgres', 'CREATE DATABASE app');
    pg.sql('app', 'CREATE TABLE readings (night int PRIMARY KEY, note text NOT NULL)');
    work = await mkdtemp(join(tmpdir(), 'strata-nightly-'));
    clock = new FakeClock(Date.parse('2026-05-01T12:00:00Z'));
    engine = Engine.open({
      home: join(work, 'home'),
      secrets: new MemoryStore(),
      timeZone: 'UTC',
      now: () => clock.now(),
    });
    const { kind: _kind, ...cfg } = s3DestinationConfig(s3.endpoint, BUCKET, 'db');
    // s3rver stands in for B2's S3 API (a real B2 destination needs its https:// endpoint).
    await engine.addS3Destination('b2', cfg, S3RVER_CREDENTIALS.secretAccessKey);
    await engine.addCommandSource(
      'appdb',
      {
        argv: [join(pg.bin, 'pg_dump'), '--format=custom', ...pg.connection],
        outputName: 'app.dump',
        timeoutMs: 10 * 60_000,
      },
      { PGDATABASE: 'app' },
    );
    engine.setPolicy('appdb', '', ['b2']);
    engine.setSchedule('b2', { kind: 'daily', time: '02:00' });
    engine.setRetention('b2', { keepDaily: 7, keepWeekly: 4 });
    service = new StrataService(engine, { host: 'headless', clock, catchUpDelayMs: 0, statusIntervalMs: 60_000 });
    service.subscribe((event, data) => {
      if (event !== 'run.finished') return;
      const runId = (data as { runId: number }).runId;
      const snap = engine.runs.resultsOf(runId).find((r) => r.snapshotId)?.snapshotId;
      if (snap) nightOf.set(snap, night);
      finished.push({ runId, night });
    });
    service.startScheduler();
  }, 120_000);

  afterAll(async () => {
    await service?.shutdown();
    engine?.close();
    await pg?.stop();
    await s3?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('dumps every night, survives a failing night, and keeps exactly 7 daily + 4 weekly', async () => {
    for (night = 1; night <= NIGHTS; night++) {
      pg.sql('app', `INSERT INTO readings VALUES (${night}, 'reading of night ${night}')`);
      if (night === FAILING_NIGHT) pg.sql('postgres', 'ALTER DATABASE app RENAME TO app_away');
      const before = finished.length;
      const latestBefore = (await engine.listSnapshots('b2')).at(-1)?.snapshotId;
      await clock.advance(DAY);
      await waitUntil(() => finished.length > before);
      if (night === FAILING_NIGHT) {
        const { runId } = finished.at(-1)!;
        const [result] = engine.runs.resultsOf(runId);
        expect(result).toMatchObject({ status: 'failed' });
        expect(result!.error).toMatch(/pg_dump.*exited with code 1: .*app.*does not exist/s);
        // No half dump became the latest.
        expect((await engine.listSnapshots('b2')).at(-1)?.snapshotId).toBe(latestBefore);
        pg.sql('postgres', 'ALTER DATABASE app_away RENAME TO app');
      }
    }
    expect(finished).toHaveLength(NIGHTS);
    const runs = engine.runs.recentRuns(NIGHTS + 5).filter((r) => r.trigger === 'schedule');
    expect(runs).toHaveLength(NIGHTS);
    expect(runs.filter((r) => r.status !== 'ok')).toHaveLength(1);

    // Nights 1..35 back up at 02:00 UTC on May 2 .. June 5. Daily: May 30 .. June 5 (the last 7
    // days with a snapshot); weekly (ISO weeks, the week's last): June 5, May 31, May 24, May 17.
    const days = (await engine.listSnapshots('b2')).map((s) => s.time.toISOString().slice(0, 10));
    expect(days).toEqual([
      '2026-05-17',
      '2026-05-24',
      '2026-05-30',
      '2026-05-31',
      '2026-06-01',
      '2026-06-02',
      '2026-06-03',
      '2026-06-04',
      '2026-06-05',
    ]);
  }, 600_000);

  it('restores the latest and the oldest kept dump through pg_restore, each with its night’s rows', async () => {
    const snaps = await engine.listSnapshots('b2');
    for (const [snap, name] of [
      [snaps.at(-1)!, 'latest'],
      [snaps[0]!, 'oldest'],
    ] as const) {
      const to = join(work, `restored-${name}`);
      await engine.restore({ dest: 'b2', snapshot: snap.snapshotId, source: 'appdb', to });
      const db = `app_${name}`;
      pg.sql('postgres', `CREATE DATABASE ${db}`);
      execFileSync(join(pg.bin, 'pg_restore'), [...pg.connection, '-d', db, '--exit-on-error', join(to, 'app.dump')]);
      const n = nightOf.get(snap.snapshotId)!;
      expect(n).toBeGreaterThan(0);
      expect(rowsIn(db)).toBe(`${n}:${n}`);
    }
    expect(nightOf.get(snaps.at(-1)!.snapshotId)).toBe(NIGHTS);
    expect(nightOf.get(snaps[0]!.snapshotId)).toBe(16);
  }, 120_000);
});
