import { destinationSummary } from '../support/api-fixtures.js';
import { describe, expect, it, vi } from 'vitest';
import type { ActiveRun, Dashboard, DestinationSummary, Progress } from '../../shared/api/entities.js';
import { isAction, toElectronTemplate, trayMenu, type TrayHandlers } from '../../electron/app/tray-menu.js';
import {
  formatAgo,
  formatBytes,
  formatIn,
  runPercent,
  TOOLTIP_MAX,
  trayState,
  truncate,
  type TrayInput,
} from '../../electron/app/tray-state.js';

const NOW = Date.UTC(2025, 2, 12, 12, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

function dest(over: Partial<DestinationSummary> & { name: string }): DestinationSummary {
  return destinationSummary({ id: `id-${over.name}`, provider: 'b2', label: 'bucket/prefix', ...over });
}

function progress(over: Partial<Progress> = {}): Progress {
  return {
    phase: 'transfer',
    filesScanned: 100,
    bytesScanned: 2_900_000_000,
    filesToSend: 100,
    bytesToSend: 2_900_000_000,
    filesSent: 42,
    bytesSent: 1_218_000_000,
    filesFailed: 0,
    scanDone: true,
    bytesPerSecond: 10_000_000,
    ...over,
  };
}

function run(over: Partial<ActiveRun> = {}): ActiveRun {
  return {
    runId: 7,
    trigger: 'manual',
    startedAt: NOW - MIN,
    destinations: ['id-b2'],
    cancelling: false,
    total: progress(),
    perDestination: {},
    ...over,
  };
}

function dashboard(destinations: DestinationSummary[], active: ActiveRun | null = null): Dashboard {
  return { destinations, sources: 1, active, schedulesPaused: false, timeZone: 'UTC', alerts: [] };
}

const okB2 = dest({ name: 'b2', lastSuccessAt: NOW - 5 * MIN, lastRunAt: NOW - 5 * MIN, lastStatus: 'ok' });
const failedB2 = dest({
  name: 'b2',
  lastSuccessAt: NOW - 30 * HOUR,
  lastRunAt: NOW - 2 * HOUR,
  lastStatus: 'failed',
  lastError: 'access denied: check the application key',
});

function input(over: Partial<TrayInput> = {}): TrayInput {
  return { dashboard: dashboard([okB2]), active: null, paused: false, nextRunAt: null, now: NOW, ...over };
}

describe('trayState', () => {
  it('idle: last backup time and status', () => {
    expect(trayState(input())).toEqual({ icon: 'idle', tooltip: 'Strata — last backup 5 min ago: OK' });
  });

  it('running: percentage and sizes of the whole run', () => {
    const s = trayState(input({ active: run() }));
    expect(s.icon).toBe('running');
    expect(s.tooltip).toBe('Strata — backing up: 42% (1.2 GB of 2.9 GB)');
  });

  it('running wins over an error and over paused', () => {
    const s = trayState(input({ dashboard: dashboard([failedB2]), active: run(), paused: true }));
    expect(s.icon).toBe('running');
    expect(s.tooltip).toBe('Strata — backing up: 42% (1.2 GB of 2.9 GB) · schedules paused');
  });

  it("uses the dashboard's active run when no live progress came yet", () => {
    const s = trayState(input({ dashboard: dashboard([okB2], run()) }));
    expect(s.icon).toBe('running');
  });

  it('running before the size is known, and while cancelling', () => {
    const scanning = run({ total: progress({ phase: 'scan', scanDone: false, bytesToSend: 0, filesToSend: 0 }) });
    expect(trayState(input({ active: scanning })).tooltip).toBe('Strata — backing up: scanning…');
    expect(trayState(input({ active: run({ cancelling: true }) })).tooltip).toBe('Strata — cancelling backup…');
  });

  it('error when any destination failed, naming it and the reason', () => {
    const local = dest({ name: 'disk', lastSuccessAt: NOW - MIN, lastRunAt: NOW - MIN, lastStatus: 'ok' });
    const s = trayState(input({ dashboard: dashboard([local, failedB2]) }));
    expect(s).toEqual({ icon: 'error', tooltip: 'Strata — b2 failed: access denied: check the application key' });
  });

  it('partial counts as an error', () => {
    const partial = dest({
      name: 'b2',
      lastRunAt: NOW - MIN,
      lastStatus: 'partial',
      lastError: '3 file(s) could not be backed up',
    });
    expect(trayState(input({ dashboard: dashboard([partial]) }))).toEqual({
      icon: 'error',
      tooltip: 'Strata — b2 partly failed: 3 file(s) could not be backed up',
    });
  });

  it('several failures: first named, the rest counted', () => {
    const r2 = dest({ name: 'r2', lastRunAt: NOW, lastStatus: 'failed', lastError: 'timeout' });
    expect(trayState(input({ dashboard: dashboard([failedB2, r2]) })).tooltip).toMatch(
      /^Strata — b2 and 1 more failed: access denied/,
    );
  });

  it('error wins over paused; paused wins over idle', () => {
    expect(trayState(input({ dashboard: dashboard([failedB2]), paused: true })).icon).toBe('error');
    const paused = trayState(input({ paused: true, nextRunAt: NOW + 3 * HOUR }));
    expect(paused).toEqual({ icon: 'paused', tooltip: 'Strata — last backup 5 min ago: OK · schedules paused' });
  });

  it('adds the next run when known (not while paused or running)', () => {
    expect(trayState(input({ nextRunAt: NOW + 3 * HOUR })).tooltip).toBe(
      'Strata — last backup 5 min ago: OK · next run in 3 h',
    );
    expect(trayState(input({ nextRunAt: NOW + 3 * HOUR, active: run() })).tooltip).not.toContain('next run');
    expect(trayState(input({ nextRunAt: NOW - MIN })).tooltip).toContain('next run due now');
  });

  it('truncates a long reason with an ellipsis to fit 127 characters, keeping the suffix', () => {
    const long = dest({
      name: 'b2',
      lastRunAt: NOW,
      lastStatus: 'failed',
      lastError: 'the server said:\n' + 'x'.repeat(400),
    });
    const s = trayState(input({ dashboard: dashboard([long]), nextRunAt: NOW + 3 * HOUR }));
    expect(s.tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX);
    expect(s.tooltip).toMatch(/^Strata — b2 failed: the server said: x+… · next run in 3 h$/);
    expect(s.tooltip).not.toContain('\n');
    expect(s.tooltip.length).toBe(TOOLTIP_MAX);
  });

  it('never exceeds the limit, even with a very long destination list head', () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      dest({ name: `destination-with-a-long-name-${i}`.repeat(2).slice(0, 63), lastStatus: 'failed', lastRunAt: NOW }),
    );
    for (const paused of [true, false]) {
      const s = trayState(input({ dashboard: dashboard(many), paused, nextRunAt: NOW + HOUR }));
      expect(s.tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX);
    }
  });

  it('no dashboard, no destinations, never backed up', () => {
    expect(trayState(input({ dashboard: null })).tooltip).toBe('Strata — starting…');
    expect(trayState(input({ dashboard: dashboard([]) })).tooltip).toBe('Strata — no destinations yet');
    expect(trayState(input({ dashboard: dashboard([dest({ name: 'b2' })]) }))).toEqual({
      icon: 'idle',
      tooltip: 'Strata — no backups yet',
    });
  });

  it('cancelled last run is not an error', () => {
    const c = dest({ name: 'b2', lastRunAt: NOW - 2 * HOUR, lastStatus: 'cancelled', lastError: 'cancelled' });
    expect(trayState(input({ dashboard: dashboard([c]) }))).toEqual({
      icon: 'idle',
      tooltip: 'Strata — last backup 2 h ago: cancelled',
    });
  });
});

describe('tray formatting helpers', () => {
  it('runPercent', () => {
    expect(runPercent(run())).toBe(42);
    expect(runPercent(run({ total: progress({ bytesSent: 5, bytesToSend: 4 }) }))).toBe(100);
    expect(runPercent(run({ total: progress({ bytesToSend: 0, phase: 'scan', scanDone: false }) }))).toBeNull();
    expect(runPercent(run({ total: progress({ bytesToSend: 0, phase: 'commit' }) }))).toBe(100);
  });

  it('formatBytes, formatAgo, formatIn', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_218_000_000)).toBe('1.2 GB');
    expect(formatBytes(999_960)).toBe('1.0 MB');
    expect(formatAgo(NOW - 10_000, NOW)).toBe('just now');
    expect(formatAgo(NOW + 10_000, NOW)).toBe('just now');
    expect(formatAgo(NOW - 5 * MIN, NOW)).toBe('5 min ago');
    expect(formatAgo(NOW - 2 * HOUR - MIN, NOW)).toBe('2 h ago');
    expect(formatAgo(NOW - 50 * HOUR, NOW)).toBe('2 d ago');
    expect(formatIn(NOW + 30_000, NOW)).toBe('in 1 min');
    expect(formatIn(NOW + 45 * MIN, NOW)).toBe('in 45 min');
    expect(formatIn(NOW + 3 * HOUR, NOW)).toBe('in 3 h');
    expect(formatIn(NOW + 48 * HOUR, NOW)).toBe('in 2 d');
  });

  it('truncate never splits a surrogate pair', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    const t = truncate('ab😀cd', 4);
    expect(t).toBe('ab…');
  });
});

describe('trayMenu', () => {
  const labels = (i: TrayInput) => trayMenu(i).map((m) => (m.type === 'separator' ? '---' : m.label));

  it('idle: actions, destination lines, quit', () => {
    const never = dest({ name: 'disk' });
    const model = trayMenu(input({ dashboard: dashboard([okB2, never, { ...failedB2, name: 'r2', id: 'id-r2' }]) }));
    expect(model.map((m) => (m.type === 'separator' ? '---' : m.label))).toEqual([
      'Back up now',
      'Pause schedules',
      'Open Strata',
      '---',
      'b2: last backup 5 min ago',
      'disk: never backed up',
      'r2: failed 2 h ago',
      '---',
      'Quit Strata',
    ]);
    const byId = Object.fromEntries(model.map((m) => [m.id, m]));
    expect(byId['backup-now']!.enabled).toBe(true);
    expect(byId['dest:id-b2']!.enabled).toBe(false);
    expect(byId['dest:id-disk']!.enabled).toBe(false);
    expect(byId['quit']!.enabled).toBe(true);
  });

  it('running: progress label disabled, cancel offered', () => {
    const model = trayMenu(input({ active: run() }));
    expect(model[0]).toMatchObject({ id: 'backup-now', label: 'Backing up… 42%', enabled: false });
    expect(model[1]).toMatchObject({ id: 'cancel-backup', label: 'Cancel backup', enabled: true });
    expect(model.find((m) => m.id === 'dest:id-b2')!.label).toBe('b2: backing up…');
  });

  it('cancelling: cancel disabled', () => {
    const model = trayMenu(input({ active: run({ cancelling: true }) }));
    expect(model[0]).toMatchObject({ label: 'Cancelling backup…', enabled: false });
    expect(model[1]).toMatchObject({ id: 'cancel-backup', enabled: false });
  });

  it('no cancel item when idle', () => {
    expect(trayMenu(input()).some((m) => m.id === 'cancel-backup')).toBe(false);
  });

  it('paused shows Resume; the next run shows when scheduled', () => {
    expect(labels(input({ paused: true }))).toContain('Resume schedules');
    expect(labels(input({ paused: true }))).not.toContain('Pause schedules');
    expect(labels(input({ nextRunAt: NOW + 3 * HOUR }))).toContain('Next run in 3 h');
    expect(labels(input({ nextRunAt: NOW + 3 * HOUR, paused: true })).join()).not.toContain('Next run');
  });

  it('partly failed line; no destinations; not loaded yet', () => {
    const p = dest({ name: 'b2', lastRunAt: NOW - 2 * HOUR, lastStatus: 'partial', lastSuccessAt: NOW - 3 * HOUR });
    expect(labels(input({ dashboard: dashboard([p]) }))).toContain('b2: partly failed 2 h ago');
    const empty = trayMenu(input({ dashboard: dashboard([]) }));
    expect(empty.find((m) => m.id === 'backup-now')!.enabled).toBe(false);
    expect(empty.map((m) => m.label)).toContain('No destinations yet');
    expect(labels(input({ dashboard: null }))).toEqual([
      'Back up now',
      'Pause schedules',
      'Open Strata',
      '---',
      'Quit Strata',
    ]);
  });

  it('toElectronTemplate wires each action to its handler and leaves info lines inert', () => {
    const handlers = Object.fromEntries(
      ['backup-now', 'cancel-backup', 'pause-schedules', 'resume-schedules', 'open', 'quit'].map((k) => [k, vi.fn()]),
    ) as unknown as TrayHandlers & Record<string, ReturnType<typeof vi.fn>>;
    const model = trayMenu(input({ active: run() }));
    const template = toElectronTemplate(model, handlers);
    expect(template).toHaveLength(model.length);
    for (const [i, t] of template.entries()) {
      const m = model[i]!;
      expect(t.id).toBe(m.id);
      if (m.type === 'separator') {
        expect(t.type).toBe('separator');
        expect(t.click).toBeUndefined();
        continue;
      }
      expect(t).toMatchObject({ label: m.label, enabled: m.enabled, type: 'normal' });
      expect(typeof t.click === 'function').toBe(isAction(m.id));
    }
    const click = (id: string) => (template.find((t) => t.id === id)!.click as () => void)();
    click('cancel-backup');
    click('quit');
    click('pause-schedules');
    expect(handlers['cancel-backup']).toHaveBeenCalledTimes(1);
    expect(handlers['quit']).toHaveBeenCalledTimes(1);
    expect(handlers['pause-schedules']).toHaveBeenCalledTimes(1);
    expect(handlers['backup-now']).not.toHaveBeenCalled();
  });
});
