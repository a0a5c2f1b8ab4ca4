/**
 * Migration 12 starts each destination's usage history from the runs an existing install already
 * has (cumulative uploads, one object per file and per snapshot), and the usage store answers
 * month by month from the samples.
 */
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/store/database.js';
import { MIGRATIONS } from '../../electron/engine/store/migrations.js';
import { UsageStore } from '../../electron/engine/store/usage-store.js';

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('usage history', () => {
  it('is backfilled from existing runs when the database is upgraded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-usage-'));
    dirs.push(dir);
    const file = join(dir, 'strata.db');
    const old = new Database(file);
    for (const m of MIGRATIONS.slice(0, 11)) old.exec(m);
    old.pragma('user_version = 11');
    old
      .prepare(`INSERT INTO destinations (id, name, kind, config, created_at) VALUES ('d1', 'cloud', 'local', '{}', 0)`)
      .run();
    const run = old.prepare(
      `INSERT INTO runs (id, trigger, status, started_at, finished_at) VALUES (?, 'manual', 'ok', ?, ?)`,
    );
    const result = old.prepare(
      `INSERT INTO run_results (run_id, source_id, dest_id, status, snapshot_id, files_uploaded, bytes_uploaded, started_at, finished_at)
       VALUES (?, ?, 'd1', 'ok', ?, ?, ?, ?, ?)`,
    );
    const oct = Date.UTC(2026, 9, 10);
    const nov = Date.UTC(2026, 10, 10);
    run.run(1, oct, oct + 1000);
    result.run(1, 's1', 'snap-a', 10, 5_000, oct, oct + 1000);
    result.run(1, 's2', 'snap-b', 5, 1_000, oct, oct + 900);
    run.run(2, nov, nov + 1000);
    result.run(2, 's1', 'snap-c', 2, 700, nov, nov + 1000);
    // A failed result without a snapshot still uploaded what it uploaded.
    result.run(2, 's2', null, 1, 50, nov, nov + 500);
    old.close();

    const db = openDatabase(file);
    const usage = new UsageStore(db);
    expect(usage.latestMeasured('d1')).toBeUndefined();
    expect(usage.latest('d1')).toEqual({
      at: nov + 1000,
      bytes: 6_750,
      objects: 10 + 1 + 5 + 1 + 2 + 1 + 1,
      smallObjects: 0,
      smallBytes: 0,
      measured: false,
    });
    expect(usage.monthly('d1', 0).map((m) => [m.month, m.sample.bytes])).toEqual([
      ['2026-10', 6_000],
      ['2026-11', 6_750],
    ]);
    db.close();
  });
});
