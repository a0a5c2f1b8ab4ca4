/**
 * The scheduler and its run queue with the clock in the test's hands: slots on time, a laptop
 * asleep over three slots (one catch-up run, after the delay), start-up catch-up, pause, battery,
 * a run longer than its interval (queued once), DST, and one run at a time.
 */
import { describe, expect, it } from 'vitest';
import type { ScheduleSpec } from '../../shared/schedule.js';
import { RunQueue, type Trigger } from '../../electron/engine/schedule/run-queue.js';
import { Scheduler, type ScheduledDestination } from '../../electron/engine/schedule/scheduler.js';
import { FakeClock } from '../support/fake-clock.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

interface Harness {
  clock: FakeClock;
  scheduler: Scheduler;
  triggers: { at: string; names: string[]; why: Trigger }[];
  dests: ScheduledDestination[];
  state: { paused: boolean; battery: boolean };
}

function harness(
  start: string,
  schedules: Record<string, ScheduleSpec>,
  opts: { tz?: string; lastSlotAt?: string; catchUpDelayMs?: number; recheckMs?: number } = {},
): Harness {
  const clock = new FakeClock(Date.parse(start));
  const triggers: Harness['triggers'] = [];
  const state = { paused: false, battery: false };
  const dests: ScheduledDestination[] = Object.entries(schedules).map(([name, schedule]) => ({
    destId: `id-${name}`,
    name,
    schedule,
    lastSlotAt: opts.lastSlotAt ? Date.parse(opts.lastSlotAt) : null,
    updatedAt: opts.lastSlotAt ? Date.parse(opts.lastSlotAt) : clock.now(),
  }));
  const scheduler = new Scheduler({
    clock,
    timeZone: () => opts.tz ?? 'Europe/Berlin',
    destinations: () => dests,
    markSlot: (id, at) => {
      const d = dests.find((x) => x.destId === id)!;
      d.lastSlotAt = Math.max(d.lastSlotAt ?? 0, at);
    },
    paused: () => state.paused,
    waitReason: () => (state.battery ? 'on battery' : null),
    trigger: (names, why) => triggers.push({ at: new Date(clock.now()).toISOString(), names, why }),
    catchUpDelayMs: opts.catchUpDelayMs ?? MIN,
    // Months of simulated time: check every few hours, not every minute (the slots still fire on time).
    ...(opts.recheckMs ? { recheckMs: opts.recheckMs } : {}),
  });
  return { clock, scheduler, triggers, dests, state };
}

describe('Scheduler', () => {
  it('fires a daily slot on time, once, and again the next day', async () => {
    const h = harness('2026-06-01T00:00:00Z', { nas: { kind: 'daily', time: '02:30' } });
    h.scheduler.start();
    await h.clock.advance(2 * DAY);
    // 02:30 in Berlin summer time is 00:30Z.
    expect(h.triggers).toEqual([
      { at: '2026-06-01T00:30:00.000Z', names: ['nas'], why: 'schedule' },
      { at: '2026-06-02T00:30:00.000Z', names: ['nas'], why: 'schedule' },
    ]);
  });

  it('a laptop asleep over three slots runs once on waking, after the catch-up delay', async () => {
    const h = harness('2026-06-01T00:00:00Z', { nas: { kind: 'daily', time: '02:30' } });
    h.scheduler.start();
    await h.clock.advance(HOUR); // the 00:30Z slot runs
    h.clock.sleep(3 * DAY); // asleep over three slots
    h.scheduler.wake();
    await h.clock.advance(2 * MIN);
    expect(h.triggers).toEqual([
      { at: '2026-06-01T00:30:00.000Z', names: ['nas'], why: 'schedule' },
      { at: '2026-06-04T01:01:00.000Z', names: ['nas'], why: 'catch-up' },
    ]);
    // The next regular slot still fires normally.
    await h.clock.advance(DAY);
    expect(h.triggers.at(-1)).toEqual({ at: '2026-06-05T00:30:00.000Z', names: ['nas'], why: 'schedule' });
    expect(h.triggers.filter((t) => t.why === 'catch-up')).toHaveLength(1);
  });

  it('catches up a slot missed while the app was closed, once, after the delay', async () => {
    const h = harness(
      '2026-06-10T12:00:00Z',
      { nas: { kind: 'daily', time: '02:30' }, b2: { kind: 'weekly', day: 'mon', time: '03:00' } },
      { lastSlotAt: '2026-06-01T00:30:00Z' },
    );
    h.scheduler.start();
    expect(h.scheduler.nextRunAt('id-nas')).toBe(Date.parse('2026-06-10T12:01:00Z'));
    await h.clock.advance(MIN);
    expect(h.triggers).toEqual([{ at: '2026-06-10T12:01:00.000Z', names: ['nas', 'b2'], why: 'catch-up' }]);
  });

  it('notices missed slots even without a wake event (timers stopped during sleep)', async () => {
    const h = harness('2026-06-01T01:00:00Z', { nas: { kind: 'hourly', minute: 0 } });
    h.scheduler.start();
    h.clock.sleep(5 * HOUR + 10 * MIN);
    await h.clock.advance(3 * MIN);
    expect(h.triggers.map((t) => t.why)).toEqual(['catch-up']);
  });

  it('lets slots pass while paused and does not replay them on resume', async () => {
    const h = harness('2026-06-01T00:00:00Z', { nas: { kind: 'hourly', minute: 0 } });
    h.state.paused = true;
    h.scheduler.start();
    expect(h.scheduler.nextRunAt('id-nas')).toBeNull();
    await h.clock.advance(3 * HOUR + 10 * MIN);
    expect(h.triggers).toEqual([]);
    h.state.paused = false;
    h.scheduler.refresh();
    await h.clock.advance(HOUR);
    expect(h.triggers).toEqual([{ at: '2026-06-01T04:00:00.000Z', names: ['nas'], why: 'schedule' }]);
  });

  it('waits while on battery, then runs once on mains power', async () => {
    const h = harness('2026-06-01T00:00:00Z', { nas: { kind: 'hourly', minute: 0 } });
    h.state.battery = true;
    h.scheduler.start();
    await h.clock.advance(3 * HOUR + 5 * MIN);
    expect(h.triggers).toEqual([]);
    h.state.battery = false;
    await h.clock.advance(3 * MIN);
    expect(h.triggers).toHaveLength(1);
    expect(h.triggers[0]!.why).toBe('catch-up');
  });

  it('keeps local wall time across both DST changes (Europe/Berlin)', async () => {
    const spring = harness('2026-03-28T00:00:00Z', { nas: { kind: 'daily', time: '02:30' } });
    spring.scheduler.start();
    await spring.clock.advance(3 * DAY);
    // 02:30 does not exist on 29 March: it runs at 03:00 CEST (01:00Z) that day.
    expect(spring.triggers.map((t) => t.at)).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    const autumn = harness('2026-10-24T00:00:00Z', { nas: { kind: 'daily', time: '02:30' } });
    autumn.scheduler.start();
    await autumn.clock.advance(3 * DAY);
    // 02:30 happens twice on 25 October: one run.
    expect(autumn.triggers.map((t) => t.at)).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('monthly on the 31st runs on the last day of short months', async () => {
    const h = harness(
      '2027-01-15T00:00:00Z',
      { nas: { kind: 'monthly', day: 31, time: '12:00' } },
      { tz: 'UTC', recheckMs: 6 * HOUR },
    );
    h.scheduler.start();
    await h.clock.advance(110 * DAY);
    expect(h.triggers.map((t) => t.at)).toEqual([
      '2027-01-31T12:00:00.000Z',
      '2027-02-28T12:00:00.000Z',
      '2027-03-31T12:00:00.000Z',
      '2027-04-30T12:00:00.000Z',
    ]);
  });

  it('Feb 29 in a leap year', async () => {
    const h = harness(
      '2028-02-01T00:00:00Z',
      { nas: { kind: 'monthly', day: 29, time: '06:00' } },
      { tz: 'UTC', recheckMs: 6 * HOUR },
    );
    h.scheduler.start();
    await h.clock.advance(40 * DAY);
    expect(h.triggers.map((t) => t.at)).toEqual(['2028-02-29T06:00:00.000Z']);
  });

  it('forgets a catch-up for a destination that became manual', async () => {
    const h = harness(
      '2026-06-10T12:00:00Z',
      { nas: { kind: 'daily', time: '02:30' } },
      { lastSlotAt: '2026-06-01T00:30:00Z' },
    );
    h.scheduler.start();
    h.dests[0]!.schedule = { kind: 'manual' };
    h.scheduler.refresh();
    await h.clock.advance(5 * MIN);
    expect(h.triggers).toEqual([]);
    expect(h.scheduler.nextRunAt('id-nas')).toBeNull();
  });
});

describe('RunQueue', () => {
  function queueWith(clock: FakeClock, runMs: number) {
    const runs: { names: string[]; why: Trigger; at: number }[] = [];
    let busy = false;
    const queue = new RunQueue({
      busy: () => busy,
      run: async (names, why) => {
        busy = true;
        runs.push({ names, why, at: clock.now() });
        await new Promise<void>((r) => clock.setTimeout(r, runMs));
        busy = false;
      },
    });
    return { queue, runs, setBusy: (b: boolean) => (busy = b) };
  }

  it('a run longer than its interval: triggers meanwhile queue once, then one run follows', async () => {
    const clock = new FakeClock(Date.parse('2026-06-01T00:00:00Z'));
    const { queue, runs } = queueWith(clock, 150 * MIN);
    const h = harness('2026-06-01T00:00:00Z', { nas: { kind: 'hourly', minute: 0 } });
    // Wire the scheduler to the queue on one clock.
    const scheduler = new Scheduler({
      clock,
      timeZone: () => 'UTC',
      destinations: () => h.dests,
      markSlot: (id, at) => (h.dests.find((d) => d.destId === id)!.lastSlotAt = at),
      paused: () => false,
      waitReason: () => null,
      trigger: (names, why) => queue.enqueue(names, why),
    });
    scheduler.start();
    await clock.advance(5 * HOUR + 30 * MIN);
    // 01:00 starts (runs 2.5 h); 02:00 and 03:00 queue once → one run at 03:30; 04:00 and 05:00 queue → at 06:00…
    expect(runs.map((r) => new Date(r.at).toISOString())).toEqual([
      '2026-06-01T01:00:00.000Z',
      '2026-06-01T03:30:00.000Z',
    ]);
    expect(queue.pending).toEqual(['nas']);
  });

  it('batches everything waiting into one run, and waits for a manual run to end', async () => {
    const clock = new FakeClock(0);
    const { queue, runs, setBusy } = queueWith(clock, 10);
    setBusy(true);
    queue.enqueue(['nas'], 'schedule');
    queue.enqueue(['b2', 'nas'], 'catch-up');
    expect(runs).toEqual([]);
    setBusy(false);
    queue.idle();
    await clock.advance(100);
    expect(runs.map((r) => [r.names, r.why])).toEqual([[['nas', 'b2'], 'schedule']]);
  });

  it('a run that cannot start is reported and the queue moves on', async () => {
    const errors: unknown[] = [];
    const queue = new RunQueue({
      busy: () => false,
      run: () => Promise.reject(new Error('no destination named gone')),
      onError: (e) => errors.push(e),
    });
    queue.enqueue(['gone'], 'schedule');
    await new Promise((r) => setImmediate(r));
    expect(errors).toHaveLength(1);
    expect(queue.pending).toEqual([]);
  });
});
