/**
 * Health figures from a real SQLite run history, the alert rules (pure, clock in hand), alert
 * reconciliation (open once, close when cleared) and the webhook's message shapes.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { alertConditions, unusualGrowth, DEFAULT_GROWTH_RULE } from '../../electron/engine/health/alert-rules.js';
import { destinationHealth, type HealthFigures } from '../../electron/engine/health/destination-health.js';
import { alertMessages, runMessage } from '../../electron/engine/health/webhook.js';
import { AlertStore } from '../../electron/engine/store/alert-store.js';
import { Catalog } from '../../electron/engine/store/catalog.js';
import { openDatabase, type Db } from '../../electron/engine/store/database.js';
import { RunStore, type RunStatus } from '../../electron/engine/store/run-store.js';
import { tempDirs } from '../support/temp-dirs.js';

const temp = tempDirs('strata-health-');

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-06-01T00:00:00Z');

let db: Db;
let runs: RunStore;
let destId: string;
let srcA: string;
let srcB: string;

beforeEach(async () => {
  db = openDatabase(join(await temp(), 'strata.db'));
  const catalog = new Catalog(db);
  srcA = catalog.addSource('a', { kind: 'local', path: '/a' }).id;
  srcB = catalog.addSource('b', { kind: 'local', path: '/b' }).id;
  destId = catalog.addDestination('nas', { kind: 'local', path: '/nas' }).id;
  runs = new RunStore(db);
});

/** One run at `at` lasting `ms`, with a result per source. */
function run(
  at: number,
  ms: number,
  results: { src: string; status: RunStatus; bytes: number; error?: string }[],
): void {
  const id = runs.start('schedule', at);
  for (const r of results) {
    runs.saveResult(id, {
      sourceId: r.src,
      destId,
      status: r.status,
      snapshotId: r.status === 'failed' ? undefined : `snap-${id}-${r.src}`,
      filesTotal: 1,
      bytesTotal: r.bytes,
      filesUploaded: 0,
      bytesUploaded: 0,
      filesDeleted: 0,
      filesFailed: r.status === 'partial' ? 1 : 0,
      error: r.error,
      startedAt: at,
      finishedAt: at + ms,
    });
  }
  runs.finish(id, results.some((r) => r.status === 'failed') ? 'failed' : 'ok', undefined, at + ms);
}

describe('destination health', () => {
  it('counts runs (not per-source results), failures in a row, durations and growth per week', () => {
    for (let d = 0; d < 14; d++) {
      run(T0 + d * DAY, 60_000, [
        { src: srcA, status: 'ok', bytes: 1_000_000 + d * 100_000 },
        { src: srcB, status: 'ok', bytes: 500_000 },
      ]);
    }
    run(T0 + 14 * DAY, 30_000, [{ src: srcA, status: 'partial', bytes: 2_400_000 }]);
    run(T0 + 15 * DAY, 5_000, [{ src: srcA, status: 'failed', bytes: 0, error: 'disk full' }]);
    run(T0 + 16 * DAY, 5_000, [
      { src: srcA, status: 'failed', bytes: 0, error: 'disk full' },
      { src: srcB, status: 'ok', bytes: 500_000 },
    ]);
    const h = destinationHealth(db, destId, T0 + 17 * DAY);
    expect(h).toMatchObject({
      recentRuns: 17,
      recentSucceeded: 14,
      consecutiveFailures: 2,
      lastStatus: 'failed',
      lastError: 'disk full',
      lastSuccessAt: T0 + 13 * DAY + 60_000,
      // 14 runs of 60 s and one of 30 s (partial counts as having run).
      averageDurationMs: Math.round((14 * 60_000 + 30_000) / 15),
    });
    // Source a grew 1.4 MB over 14 days (100 kB a day), b stayed: 700 kB a week.
    expect(Math.round(h.growthPerWeek! / 1000)).toBe(700);
    expect(h.latestSnapshotBytes).toBe(2_400_000 + 500_000);
    // The last runs: a grew 100 kB (run 14); only b wrote a snapshot in run 16, unchanged.
    expect(h.recentGrowth.slice(-2)).toEqual([100_000, 0]);
  });

  it('has no figures before any run', () => {
    expect(destinationHealth(db, destId, T0)).toMatchObject({
      recentRuns: 0,
      consecutiveFailures: 0,
      lastSuccessAt: null,
      averageDurationMs: null,
      growthPerWeek: null,
      recentGrowth: [],
    });
  });
});

function figures(over: Partial<HealthFigures> = {}): HealthFigures {
  return {
    destId: 'd',
    lastSuccessAt: T0,
    lastRunAt: T0,
    lastStatus: 'ok',
    lastError: null,
    consecutiveFailures: 0,
    recentRuns: 10,
    recentSucceeded: 10,
    averageDurationMs: 1000,
    growthPerWeek: 0,
    recentGrowth: [],
    latestSnapshotBytes: 10e9,
    ...over,
  };
}

const inputs = { now: T0 + HOUR, inUse: true, staleAfterMs: 48 * HOUR, createdAt: T0 - 30 * DAY, verification: null };

describe('alert rules', () => {
  it('opens nothing for a healthy destination', () => {
    expect(alertConditions(figures(), inputs)).toEqual([]);
  });

  it('3 failures in a row, with the last error', () => {
    expect(alertConditions(figures({ consecutiveFailures: 2 }), inputs)).toEqual([]);
    expect(alertConditions(figures({ consecutiveFailures: 3, lastError: 'bad key' }), inputs)).toEqual([
      { kind: 'failures', message: '3 backups in a row failed; the last: bad key' },
    ]);
  });

  it('no success within the threshold, counted from the destination’s creation when never backed up', () => {
    expect(alertConditions(figures(), { ...inputs, now: T0 + 47 * HOUR })).toEqual([]);
    expect(alertConditions(figures(), { ...inputs, now: T0 + 49 * HOUR })).toEqual([
      { kind: 'stale', message: 'no successful backup for 2 days (alert after 2 days)' },
    ]);
    expect(alertConditions(figures({ lastSuccessAt: null }), { ...inputs, now: T0 - 25 * DAY })).toEqual([
      { kind: 'stale', message: 'no successful backup since it was added 5 days ago (alert after 2 days)' },
    ]);
    // A destination nothing goes to and no schedule drives is not expected to be current.
    expect(alertConditions(figures(), { ...inputs, inUse: false, now: T0 + 10 * DAY })).toEqual([]);
  });

  it('a failed verification', () => {
    expect(
      alertConditions(figures(), { ...inputs, verification: { ok: false, at: T0, message: '2 objects missing' } }),
    ).toEqual([{ kind: 'verify-failed', message: 'verification failed: 2 objects missing' }]);
  });

  it('unusual growth: far above the usual, above a floor, and a real share of what is stored', () => {
    const rule = DEFAULT_GROWTH_RULE;
    expect(unusualGrowth([1e6, 2e6, 1e6, 5e9], 50e9, rule)).toMatch(
      /grew the stored data by 5\.0 GB, 5000× the usual 1\.0 MB/,
    );
    expect(unusualGrowth([1e6, 2e6, 5e9], 50e9, rule)).toBeNull(); // not enough history
    expect(unusualGrowth([1e6, 2e6, 1e6, 50e6], 50e6, rule)).toBeNull(); // under the 100 MB floor
    expect(unusualGrowth([1e9, 1e9, 1e9, 3e9], 100e9, rule)).toBeNull(); // only 3x
    expect(unusualGrowth([1e6, 2e6, 1e6, 2e9], 1000e9, rule)).toBeNull(); // 0.2 % of what is stored
    expect(unusualGrowth([1e6, 2e6, 1e6, -5e9], 50e9, rule)).toBeNull(); // shrinking is not growth
    expect(alertConditions(figures({ recentGrowth: [1e6, 1e6, 1e6, 5e9], latestSnapshotBytes: 10e9 }), inputs)).toEqual(
      [expect.objectContaining({ kind: 'growth' })],
    );
  });
});

describe('alert store', () => {
  it('opens once, keeps the opening time while the condition holds, closes when it clears', () => {
    const store = new AlertStore(db);
    const first = store.reconcile(destId, [{ kind: 'failures', message: '3 backups in a row failed' }], T0);
    expect(first.opened).toHaveLength(1);
    const held = store.reconcile(destId, [{ kind: 'failures', message: '4 backups in a row failed' }], T0 + HOUR);
    expect(held).toEqual({ opened: [], closed: [] });
    expect(store.open()).toEqual([
      expect.objectContaining({ kind: 'failures', message: '4 backups in a row failed', openedAt: T0 }),
    ]);
    const cleared = store.reconcile(destId, [], T0 + 2 * HOUR);
    expect(cleared.closed).toEqual([expect.objectContaining({ kind: 'failures', closedAt: T0 + 2 * HOUR })]);
    expect(store.open()).toEqual([]);
    expect(store.recent()).toHaveLength(1);
  });
});

describe('webhook messages', () => {
  const alert = {
    id: 1,
    destination: 'b2',
    kind: 'stale' as const,
    message: 'no successful backup for 3 days',
    openedAt: T0,
    closedAt: null,
  };

  it('chat: JSON with text and content on alerts, nothing per run', () => {
    const [m] = alertMessages('https://chat.example/hook', 'chat', 'nas-box', { opened: [alert], closed: [] });
    expect(m!.url).toBe('https://chat.example/hook');
    expect(m!.body).toMatchObject({
      text: 'Strata on nas-box: b2: no successful backup for 3 days',
      content: 'Strata on nas-box: b2: no successful backup for 3 days',
      event: 'alert.opened',
      destination: 'b2',
      kind: 'stale',
    });
    expect(
      runMessage('https://chat.example/hook', 'chat', 'h', {
        runId: 1,
        trigger: 'schedule',
        status: 'ok',
        error: null,
        destinations: [],
      }),
    ).toBeNull();
  });

  it('healthchecks: a ping per run, /fail when it failed, nothing on alerts', () => {
    const run = { runId: 7, trigger: 'schedule', status: 'ok', error: null, destinations: ['b2'] };
    expect(runMessage('https://hc-ping.com/abc/', 'healthchecks', 'h', run)!.url).toBe('https://hc-ping.com/abc/');
    expect(runMessage('https://hc-ping.com/abc/', 'healthchecks', 'h', { ...run, status: 'failed' })!.url).toBe(
      'https://hc-ping.com/abc/fail',
    );
    expect(alertMessages('https://hc-ping.com/abc', 'healthchecks', 'h', { opened: [alert], closed: [] })).toEqual([]);
  });
});
