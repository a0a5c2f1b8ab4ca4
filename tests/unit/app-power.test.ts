import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PowerHooks, shouldSkipRun, type PowerMonitorLike } from '../../electron/app/power.js';

class FakePowerMonitor extends EventEmitter implements PowerMonitorLike {
  battery = false;
  isOnBatteryPower(): boolean {
    return this.battery;
  }
}

describe('PowerHooks', () => {
  let pm: FakePowerMonitor;
  let onResume: ReturnType<typeof vi.fn>;
  let hooks: PowerHooks;

  beforeEach(() => {
    vi.useFakeTimers();
    pm = new FakePowerMonitor();
    onResume = vi.fn();
    hooks = new PowerHooks({ powerMonitor: pm, onResume });
  });

  afterEach(() => {
    hooks.dispose();
    vi.useRealTimers();
  });

  it('calls onResume once, 5 s after the last resume event', () => {
    pm.emit('resume');
    vi.advanceTimersByTime(2000);
    pm.emit('resume');
    pm.emit('resume');
    vi.advanceTimersByTime(4999);
    expect(onResume).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onResume).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(onResume).toHaveBeenCalledTimes(1);
  });

  it('once per wake-up: a later resume catches up again', () => {
    pm.emit('suspend');
    expect(hooks.sleeping).toBe(true);
    pm.emit('resume');
    expect(hooks.sleeping).toBe(false);
    vi.advanceTimersByTime(5000);
    pm.emit('suspend');
    pm.emit('resume');
    vi.advanceTimersByTime(5000);
    expect(onResume).toHaveBeenCalledTimes(2);
  });

  it('going back to sleep before the catch-up fires cancels it', () => {
    pm.emit('resume');
    vi.advanceTimersByTime(1000);
    pm.emit('suspend');
    vi.advanceTimersByTime(60_000);
    expect(onResume).not.toHaveBeenCalled();
  });

  it('dispose stops listening and drops a pending catch-up', () => {
    pm.emit('resume');
    hooks.dispose();
    vi.advanceTimersByTime(10_000);
    pm.emit('resume');
    vi.advanceTimersByTime(10_000);
    expect(onResume).not.toHaveBeenCalled();
    expect(pm.listenerCount('resume')).toBe(0);
    expect(pm.listenerCount('on-battery')).toBe(0);
  });

  it('skips only scheduled runs, only on battery, only when asked', () => {
    const skip = { skipOnBattery: true };
    const run = { skipOnBattery: false };
    pm.battery = true;
    expect(hooks.shouldSkip('schedule', skip)).toBe(true);
    expect(hooks.shouldSkip('manual', skip)).toBe(false);
    expect(hooks.shouldSkip('schedule', run)).toBe(false);
    pm.battery = false;
    expect(hooks.shouldSkip('schedule', skip)).toBe(false);
    expect(hooks.shouldSkip('manual', skip)).toBe(false);
  });

  it('a failing battery query counts as AC power', () => {
    pm.isOnBatteryPower = () => {
      throw new Error('not supported');
    };
    expect(hooks.shouldSkip('schedule', { skipOnBattery: true })).toBe(false);
  });

  it('reports power source changes', () => {
    const changes: boolean[] = [];
    const h = new PowerHooks({ powerMonitor: pm, onResume, onPowerSourceChange: (b) => changes.push(b) });
    pm.emit('on-battery');
    pm.emit('on-ac');
    expect(changes).toEqual([true, false]);
    h.dispose();
  });

  it('takes injected timers and delay', () => {
    const queued: { fn: () => void; ms: number }[] = [];
    const cleared: unknown[] = [];
    const h = new PowerHooks({
      powerMonitor: pm,
      onResume,
      debounceMs: 100,
      timers: { setTimeout: (fn, ms) => queued.push({ fn, ms }), clearTimeout: (id) => cleared.push(id) },
    });
    hooks.dispose(); // only h listens now
    pm.emit('resume');
    pm.emit('resume');
    expect(queued.map((q) => q.ms)).toEqual([100, 100]);
    expect(cleared).toEqual([1]); // the first handle (push returned the new length, 1)
    queued[1]!.fn();
    expect(onResume).toHaveBeenCalledTimes(1);
    h.dispose();
  });
});

describe('shouldSkipRun', () => {
  it('is true only for a scheduled run on battery with the setting on', () => {
    const rows: [Parameters<typeof shouldSkipRun>, boolean][] = [
      [['schedule', { skipOnBattery: true }, true], true],
      [['schedule', { skipOnBattery: true }, false], false],
      [['schedule', { skipOnBattery: false }, true], false],
      [['manual', { skipOnBattery: true }, true], false],
      [['manual', { skipOnBattery: false }, false], false],
    ];
    for (const [args, want] of rows) expect(shouldSkipRun(...args)).toBe(want);
  });
});
