import { destinationSummary } from '../support/api-fixtures.js';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Dashboard, DestinationSummary, RunStatus } from '../../shared/api/entities.js';
import { BODY_MAX, Notifier, REPEAT_AFTER_MS, type RunFinished } from '../../electron/app/notifications.js';

const HOUR = 3_600_000;

function dest(name: string, lastStatus: RunStatus | null, lastError: string | null = null): DestinationSummary {
  return destinationSummary({
    id: `id-${name}`,
    name,
    provider: 'b2',
    label: 'bucket',
    lastRunAt: 1,
    lastStatus,
    lastError,
  });
}

const board = (...destinations: DestinationSummary[]): Dashboard => ({
  destinations,
  sources: 1,
  active: null,
  schedulesPaused: false,
  timeZone: 'UTC',
  alerts: [],
});

let runId = 0;
function finished(status: RunStatus, error: string | null = null): RunFinished {
  return { runId: ++runId, status, error };
}

describe('Notifier', () => {
  let shown: { title: string; body: string }[];
  let now: number;
  let notifier: Notifier;

  const make = (settings?: { onFailure?: boolean; onSuccess?: boolean }) =>
    new Notifier({ show: (title, body) => shown.push({ title, body }), now: () => now, settings });

  beforeEach(() => {
    shown = [];
    now = 1_000_000_000_000;
    notifier = make();
  });

  const denied = board(dest('disk', 'ok'), dest('b2', 'failed', 'access denied: check the key'));

  it('a failure notifies with the failing destination and its error', () => {
    const n = notifier.onRunFinished(finished('failed', 'access denied: check the key'), denied);
    expect(n).toEqual({ kind: 'failure', title: 'Backup failed', body: 'b2: access denied: check the key' });
    expect(shown).toEqual([{ title: 'Backup failed', body: 'b2: access denied: check the key' }]);
  });

  it('partial says "partly failed"', () => {
    notifier.onRunFinished(
      finished('partial', '2 file(s) could not be backed up'),
      board(dest('b2', 'partial', '2 file(s) could not be backed up')),
    );
    expect(shown).toEqual([{ title: 'Backup partly failed', body: 'b2: 2 file(s) could not be backed up' }]);
  });

  it('several failing destinations: the first named, the others counted', () => {
    notifier.onRunFinished(
      finished('failed'),
      board(dest('b2', 'failed', 'access denied'), dest('r2', 'failed', 'timeout'), dest('s3', 'partial', 'x')),
    );
    expect(shown[0]!.body).toBe('b2: access denied (and 2 other destinations)');
  });

  it('without a dashboard, falls back to the event error, then to a generic line', () => {
    notifier.onRunFinished(finished('failed', 'network is unreachable'), null);
    expect(shown[0]).toEqual({ title: 'Backup failed', body: 'network is unreachable' });
    notifier.onRunFinished(finished('partial', null), null);
    expect(shown[1]).toEqual({ title: 'Backup partly failed', body: 'Open Strata to see what went wrong.' });
  });

  it('names the destination of this run, not an older failure elsewhere', () => {
    const e = finished('failed');
    notifier.onRunStarted({ runId: e.runId, trigger: 'manual', destinations: ['id-r2'] });
    notifier.onRunFinished(e, board(dest('b2', 'failed', 'old problem'), dest('r2', 'failed', 'bucket not found')));
    expect(shown[0]!.body).toBe('r2: bucket not found');
  });

  it('long errors are cut with an ellipsis', () => {
    notifier.onRunFinished(finished('failed'), board(dest('b2', 'failed', 'y'.repeat(1000))));
    expect(shown[0]!.body.length).toBe(BODY_MAX);
    expect(shown[0]!.body.endsWith('…')).toBe(true);
  });

  it('the same failure on consecutive runs is suppressed for 6 hours, then notified again', () => {
    notifier.onRunFinished(finished('failed'), denied);
    now += HOUR;
    expect(notifier.onRunFinished(finished('failed'), denied)).toBeNull();
    now += 4 * HOUR;
    expect(notifier.onRunFinished(finished('failed'), denied)).toBeNull();
    // A cancelled run in between neither counts as recovery nor resets the quiet period.
    expect(notifier.onRunFinished(finished('cancelled'), denied)).toBeNull();
    expect(shown).toHaveLength(1);
    now += HOUR - 1; // 6 h minus 1 ms after the first notice
    expect(notifier.onRunFinished(finished('failed'), denied)).toBeNull();
    now += 1;
    expect(notifier.onRunFinished(finished('failed'), denied)?.title).toBe('Backup failed');
    expect(shown).toHaveLength(2);
    // …and the quiet period restarts from that notice.
    now += REPEAT_AFTER_MS - 1;
    expect(notifier.onRunFinished(finished('failed'), denied)).toBeNull();
  });

  it('counts in the reason do not make a new failure, a new reason does', () => {
    notifier.onRunFinished(finished('partial'), board(dest('b2', 'partial', '3 file(s) could not be backed up')));
    now += HOUR;
    notifier.onRunFinished(finished('partial'), board(dest('b2', 'partial', '5 file(s) could not be backed up')));
    expect(shown).toHaveLength(1);
    now += HOUR;
    notifier.onRunFinished(finished('failed'), board(dest('b2', 'failed', 'bucket not found')));
    expect(shown).toHaveLength(2);
    expect(shown[1]).toEqual({ title: 'Backup failed', body: 'b2: bucket not found' });
    // A different destination failing too is also new.
    now += HOUR;
    notifier.onRunFinished(
      finished('failed'),
      board(dest('b2', 'failed', 'bucket not found'), dest('r2', 'failed', 'timeout')),
    );
    expect(shown).toHaveLength(3);
  });

  it('recovery after a failure notifies once', () => {
    notifier.onRunFinished(finished('failed'), denied);
    const ok = board(dest('disk', 'ok'), dest('b2', 'ok'));
    expect(notifier.onRunFinished(finished('ok'), ok)).toEqual({
      kind: 'recovered',
      title: 'Backups are working again',
      body: 'Backed up to disk, b2.',
    });
    expect(notifier.onRunFinished(finished('ok'), ok)).toBeNull();
    expect(shown.map((s) => s.title)).toEqual(['Backup failed', 'Backups are working again']);
    // After recovery, the same failure is news again at once.
    notifier.onRunFinished(finished('failed'), denied);
    expect(shown).toHaveLength(3);
  });

  it('no recovery notice while another destination is still failing', () => {
    notifier.onRunFinished(finished('failed'), denied);
    expect(notifier.onRunFinished(finished('ok'), board(dest('disk', 'ok'), dest('b2', 'failed', 'x')))).toBeNull();
    expect(notifier.onRunFinished(finished('ok'), board(dest('disk', 'ok'), dest('b2', 'ok')))?.kind).toBe('recovered');
  });

  it('success notifies only when onSuccess is on', () => {
    const ok = board(dest('b2', 'ok'));
    expect(notifier.onRunFinished(finished('ok'), ok)).toBeNull();
    notifier.setSettings({ onSuccess: true });
    expect(notifier.onRunFinished(finished('ok'), ok)).toEqual({
      kind: 'success',
      title: 'Backup finished',
      body: 'Backed up to b2.',
    });
    expect(shown).toHaveLength(1);
  });

  it('a success without a failure before is not a recovery', () => {
    const n = make({ onSuccess: true });
    expect(n.onRunFinished(finished('ok'), null)?.kind).toBe('success');
    expect(shown[0]!.body).toBe('The last backup finished without errors.');
  });

  it('cancelled and interrupted runs say nothing', () => {
    const n = make({ onSuccess: true });
    expect(n.onRunFinished(finished('cancelled'), denied)).toBeNull();
    expect(n.onRunFinished(finished('interrupted'), denied)).toBeNull();
    expect(shown).toEqual([]);
  });

  it('onFailure off: failures are silent and so is the recovery', () => {
    const n = make({ onFailure: false });
    expect(n.getSettings()).toEqual({ onFailure: false, onSuccess: false });
    expect(n.onRunFinished(finished('failed'), denied)).toBeNull();
    expect(n.onRunFinished(finished('ok'), board(dest('b2', 'ok')))).toBeNull();
    expect(shown).toEqual([]);
  });
});

describe('alert notifications', () => {
  const alert = (destination: string, message: string) => ({
    id: 1,
    destination,
    kind: 'failures' as const,
    message,
    openedAt: 0,
    closedAt: null,
  });

  it('tells each newly opened alert, one notification for several, nothing when only closed', () => {
    const shown: { title: string; body: string }[] = [];
    const n = new Notifier({ show: (title, body) => shown.push({ title, body }) });
    n.onAlertsChanged({ opened: [alert('b2', '3 backups in a row failed')], closed: [] });
    n.onAlertsChanged({ opened: [alert('b2', 'x'), alert('nas', 'no successful backup for 3 days')], closed: [] });
    n.onAlertsChanged({ opened: [], closed: [alert('b2', 'x')] });
    expect(shown).toEqual([
      { title: 'Strata alert: b2', body: '3 backups in a row failed' },
      { title: 'Strata: 2 alerts', body: 'b2: x; nas: no successful backup for 3 days' },
    ]);
  });
});
