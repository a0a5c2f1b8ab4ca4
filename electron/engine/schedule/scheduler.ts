/**
 * Fires each destination's schedule. Every check compares the clock with the newest slot not yet
 * handled, so it does not matter whether a timer fired on time, late, or not at all while the
 * machine slept: a slot seen on time runs now; one (or many) missed while the app was closed or
 * the machine asleep gives one catch-up run after a short delay.
 */
import type { ScheduleSpec } from '../../../shared/schedule.js';
import type { Clock } from './clock.js';
import { latestSlotAtOrBefore, nextRun } from './next-run.js';
import type { Trigger } from './run-queue.js';

export interface ScheduledDestination {
  destId: string;
  name: string;
  schedule: ScheduleSpec;
  lastSlotAt: number | null;
  /** When the schedule was set: slots before it were never due. */
  updatedAt: number;
}

export interface SchedulerDeps {
  clock: Clock;
  timeZone(): string;
  destinations(): ScheduledDestination[];
  markSlot(destId: string, slotAt: number): void;
  paused(): boolean;
  /** Why scheduled runs wait now (on battery power with that setting on), or null. */
  waitReason(): string | null;
  trigger(destinations: string[], why: Trigger): void;
  /** Delay before a catch-up run, so a machine just woken can settle (network, disks). */
  catchUpDelayMs?: number;
  /** A slot seen this late by a timer still counts as on time. */
  onTimeMs?: number;
  /** The longest the scheduler sleeps between checks (timers drift or stop while a machine sleeps). */
  recheckMs?: number;
}

export class Scheduler {
  private timer: unknown;
  private readonly catchUps = new Map<string, number>();
  private stopped = true;

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    this.stopped = false;
    this.check('start');
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The machine woke up: missed slots catch up (after the delay). */
  wake(): void {
    if (!this.stopped) this.check('wake');
  }

  /** Schedules, pause or settings changed. */
  refresh(): void {
    if (!this.stopped) this.check('refresh');
  }

  /** When a destination runs next: a pending catch-up, else its next slot; null for manual or paused. */
  nextRunAt(destId: string): number | null {
    const d = this.deps.destinations().find((x) => x.destId === destId);
    if (!d || d.schedule.kind === 'manual' || this.deps.paused()) return null;
    const now = this.deps.clock.now();
    const catchUp = this.catchUps.get(destId);
    const next = nextRun(d.schedule, new Date(now), this.deps.timeZone())?.getTime() ?? null;
    if (catchUp !== undefined) return next === null ? catchUp : Math.min(catchUp, next);
    return next;
  }

  private check(reason: 'start' | 'wake' | 'refresh' | 'timer'): void {
    const { clock } = this.deps;
    const now = clock.now();
    const tz = this.deps.timeZone();
    const paused = this.deps.paused();
    const waiting = paused ? null : this.deps.waitReason();
    const dests = this.deps.destinations().filter((d) => d.schedule.kind !== 'manual');
    const known = new Set(dests.map((d) => d.destId));
    for (const id of this.catchUps.keys()) if (!known.has(id)) this.catchUps.delete(id);

    const onTime: string[] = [];
    const catchUp: string[] = [];
    for (const d of dests) {
      const since = new Date(d.lastSlotAt ?? d.updatedAt);
      const slot = latestSlotAtOrBefore(d.schedule, new Date(now), tz, since);
      if (slot && !waiting) {
        // Slots passing while paused are let go; resuming does not replay them.
        this.deps.markSlot(d.destId, slot.getTime());
        if (!paused) {
          if (reason === 'timer' && now - slot.getTime() <= (this.deps.onTimeMs ?? 120_000)) onTime.push(d.name);
          else if (!this.catchUps.has(d.destId))
            this.catchUps.set(d.destId, now + (this.deps.catchUpDelayMs ?? 60_000));
        }
      }
      if (paused) this.catchUps.delete(d.destId);
      const due = this.catchUps.get(d.destId);
      if (due !== undefined && due <= now && !waiting) {
        this.catchUps.delete(d.destId);
        catchUp.push(d.name);
      }
    }
    if (onTime.length) this.deps.trigger(onTime, 'schedule');
    if (catchUp.length) this.deps.trigger(catchUp, 'catch-up');
    this.arm(dests, now, tz);
  }

  private arm(dests: ScheduledDestination[], now: number, tz: string): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    let next = now + (this.deps.recheckMs ?? 60_000);
    for (const d of dests) {
      const t = nextRun(d.schedule, new Date(now), tz)?.getTime();
      if (t !== undefined && t < next) next = t;
    }
    for (const t of this.catchUps.values()) if (t < next) next = t;
    this.timer = this.deps.clock.setTimeout(() => this.check('timer'), Math.max(0, next - now));
  }
}
