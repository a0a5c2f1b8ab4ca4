import { describe, expect, it } from 'vitest';
import { SyncGovernor } from '../../electron/engine/sources/sync-governor.js';

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin: a blocking call that takes `ms`
  }
}

const limits = { slowCallMs: 20, slowAverageMs: 0.5, window: 4, sliceMs: 10, retryAfterMs: 30 };

describe('SyncGovernor', () => {
  it('keeps blocking calls while they are fast', () => {
    const g = new SyncGovernor(true, limits);
    for (let i = 0; i < 12; i++) g.run(() => undefined);
    expect(g.useSync).toBe(true);
  });

  it('backs off after a slow window and tries blocking again later (a busy machine passes)', async () => {
    // No single-call limit here: on a loaded machine one 1 ms spin can be descheduled past it.
    const g = new SyncGovernor(true, { ...limits, slowCallMs: 10_000 });
    for (let i = 0; i < 4; i++) g.run(() => busy(1));
    expect(g.useSync).toBe(false);
    await new Promise((r) => setTimeout(r, 40));
    expect(g.useSync).toBe(true);
  });

  it('stops blocking for good after one very slow call (a network share)', async () => {
    const g = new SyncGovernor(true, limits);
    g.run(() => busy(25));
    expect(g.useSync).toBe(false);
    await new Promise((r) => setTimeout(r, 40));
    expect(g.useSync).toBe(false);
  });

  it('gives the event loop a turn once blocking calls have held it a millisecond, not before', async () => {
    // Worker threads get the files the walk hands out only when the loop turns (see the class).
    const turned = (): { seen: boolean } => {
      const t = { seen: false };
      setImmediate(() => (t.seen = true));
      return t;
    };
    const g = new SyncGovernor(true);
    const since = performance.now();
    const early = turned();
    await g.pace(); // well within the slice: no turn
    // (unless this thread was descheduled for a millisecond meanwhile, as on a loaded machine)
    if (performance.now() - since < 0.5) expect(early.seen).toBe(false);
    busy(3);
    const late = turned();
    await g.pace(); // past it: pending callbacks run first
    expect(late.seen).toBe(true);
  });

  it('never blocks where blocking calls are not available', () => {
    expect(new SyncGovernor(false, limits).useSync).toBe(false);
  });
});
