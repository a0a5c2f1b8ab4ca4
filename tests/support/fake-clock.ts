import type { Clock } from '../../electron/engine/schedule/clock.js';

/** A clock moved by hand: `advance` fires due timers in time order, each seeing its own time. */
export class FakeClock implements Clock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;

  constructor(private t: number) {}

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + Math.max(0, ms), fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }

  /** Moves time forward, firing timers as their time comes (timers set meanwhile fire too). */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
      // Let promise chains started by the timer (a run) move on before the next one fires.
      await new Promise((r) => setImmediate(r));
    }
    this.t = end;
  }

  /** The machine slept: time jumps and no timer fires on the way (they fire late, at wake). */
  sleep(ms: number): void {
    this.t += ms;
  }

  async flush(): Promise<void> {
    await this.advance(0);
  }
}
