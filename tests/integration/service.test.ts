/**
 * The API service over a real engine (real files, real SQLite), without a host in between:
 * checkbox semantics, rules and badges, paging, cancel, and a serve process stopped mid-backup.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventName, MethodName, OutputOf } from '../../shared/api/contract.js';
import { Engine } from '../../electron/engine/engine.js';
import { MemoryStore } from '../../electron/engine/secrets/memory-store.js';
import { StrataService } from '../../electron/engine/service.js';
import { waitForIdle } from '../support/host-runs.js';
import { startServe } from '../support/serve-host.js';
import { bytes } from '../support/tree.js';
import { tempDirs } from '../support/temp-dirs.js';

const temp = tempDirs('strata-service-');
const serveTemp = tempDirs('strata-serve-stop-');

describe('the API service', () => {
  let work: string;
  let engine: Engine;
  let service: StrataService;
  const events: { event: EventName; data: unknown }[] = [];

  async function call<M extends MethodName>(method: M, input: unknown = {}): Promise<OutputOf<M>> {
    const reply = await service.handle(method, input);
    if (!reply.ok) throw new Error(`${method}: ${reply.error.message}`);
    return reply.result as OutputOf<M>;
  }

  beforeEach(async () => {
    work = await temp();
    await mkdir(join(work, 'src', 'docs', 'old'), { recursive: true });
    await mkdir(join(work, 'src', 'media'), { recursive: true });
    await writeFile(join(work, 'src', 'docs', 'a.txt'), 'a');
    await writeFile(join(work, 'src', 'docs', 'old', 'b.txt'), 'b');
    await writeFile(join(work, 'src', 'docs', 'scratch.tmp'), 'tmp');
    await writeFile(join(work, 'src', 'media', 'clip.bin'), bytes(3_000_000, 1));
    engine = Engine.open({ home: join(work, 'home'), secrets: new MemoryStore() });
    service = new StrataService(engine, { host: 'headless', statusIntervalMs: 50 });
    service.subscribe((event, data) => events.push({ event, data }));
    await call('sources.add', { name: 'src', path: join(work, 'src') });
    await call('destinations.add', { name: 'disk', settings: { kind: 'local', path: join(work, 'disk') } });
    await call('destinations.add', { name: 'nas', settings: { kind: 'local', path: join(work, 'nas') } });
  });

  afterEach(() => {
    engine.close();
    events.length = 0;
  });

  it('ticks a folder for one destination: everything below follows, ancestors show mixed', async () => {
    const ids = Object.fromEntries((await call('destinations.list')).map((d) => [d.name, d.id]));
    await call('policies.select', { source: 'src', path: 'docs/old', destination: 'nas', include: true });
    await call('policies.select', { source: 'src', path: '', destination: 'disk', include: true });
    let root = await call('tree.list', { source: 'src', folder: '' });
    expect(root.self.selection[ids.nas!]).toBe('mixed');
    expect(root.entries.find((e) => e.name === 'docs')!.selection[ids.nas!]).toBe('mixed');
    expect(root.entries.find((e) => e.name === 'media')!.selection[ids.nas!]).toBe('off');
    // Ticking the root overrides what was decided below it, for that destination only.
    await call('policies.select', { source: 'src', path: 'docs/old', destination: 'disk', include: false });
    await call('policies.select', { source: 'src', path: '', destination: 'nas', include: true });
    const policies = await call('policies.list', { source: 'src' });
    expect(policies).toEqual([
      { source: 'src', folder: '', destinations: { [ids.disk!]: true, [ids.nas!]: true }, excludes: [], maxSize: null },
      { source: 'src', folder: 'docs/old', destinations: { [ids.disk!]: false }, excludes: [], maxSize: null },
    ]);
    root = await call('tree.list', { source: 'src', folder: '' });
    expect(root.self.selection[ids.nas!]).toBe('on');
    // Unticking back to what the parent says removes the decision instead of storing a copy of it.
    await call('policies.select', { source: 'src', path: 'docs/old', destination: 'disk', include: false });
    await call('policies.select', { source: 'src', path: 'docs/old', destination: 'disk', include: false });
    expect((await call('policies.list', { source: 'src' })).length).toBe(2);
    expect(events.some((e) => e.event === 'changed')).toBe(true);
  });

  it('shows excluded, pending and synced badges from rules and runs, and pages large folders', async () => {
    const ids = Object.fromEntries((await call('destinations.list')).map((d) => [d.name, d.id]));
    await call('policies.select', { source: 'src', path: '', destination: 'disk', include: true });
    await call('policies.setRules', { source: 'src', folder: 'docs', excludes: ['*.tmp'], maxSize: null });
    await call('policies.setRules', { source: 'src', folder: 'media', excludes: [], maxSize: 1000 });
    let docs = await call('tree.list', { source: 'src', folder: 'docs' });
    const byName = (p: OutputOf<'tree.list'>, n: string) => p.entries.find((e) => e.name === n)!;
    expect(byName(docs, 'scratch.tmp')).toMatchObject({
      excluded: true,
      badges: { [ids.disk!]: { state: 'excluded' } },
    });
    expect(byName(docs, 'a.txt').badges[ids.disk!]!.state).toBe('pending');
    expect(byName(docs, 'a.txt').badges[ids.nas!]!.state).toBe('none');
    const media = await call('tree.list', { source: 'src', folder: 'media' });
    expect(byName(media, 'clip.bin').excluded).toBe(true);

    const { runId } = await call('runs.start', {});
    await waitFor(() => events.some((e) => e.event === 'run.finished'));
    const [run] = await call('runs.list', { limit: 5 });
    expect(run!.error, JSON.stringify(await call('runs.log', { runId: run!.id }))).toBeNull();
    expect(run).toMatchObject({ id: runId, status: 'ok', results: [{ destination: 'disk', status: 'ok' }] });
    docs = await call('tree.list', { source: 'src', folder: 'docs' });
    expect(byName(docs, 'a.txt').badges[ids.disk!]!.state).toBe('synced');
    expect(byName(docs, 'old').badges[ids.disk!]).toMatchObject({ state: 'synced', counts: { synced: 1 } });
    const dash = await call('dashboard.get');
    expect(dash.destinations.find((d) => d.name === 'disk')).toMatchObject({ filesStored: 2, recentSucceeded: 1 });

    // 2,500 entries come back in pages, folders first then names in order.
    const many = join(work, 'src', 'many');
    await mkdir(join(many, 'zz-folder'), { recursive: true });
    for (let i = 0; i < 2500; i++) await writeFile(join(many, `f${i}.txt`), '');
    const first = await call('tree.list', { source: 'src', folder: 'many', offset: 0, limit: 1000 });
    const last = await call('tree.list', { source: 'src', folder: 'many', offset: 2000, limit: 1000 });
    expect(first.total).toBe(2501);
    expect(first.entries[0]!.name).toBe('zz-folder');
    expect(first.entries[1]!.name).toBe('f0.txt');
    expect(first.entries[2]!.name).toBe('f1.txt');
    expect(last.entries.length).toBe(501);
    expect(last.entries.at(-1)!.name).toBe('f2499.txt');
  });

  it('backs up a subfolder ticked on its own (its parents are walked, not sent)', async () => {
    await call('policies.select', { source: 'src', path: 'docs/old', destination: 'nas', include: true });
    await call('runs.start', { destinations: ['nas'] });
    await waitFor(() => events.some((e) => e.event === 'run.finished'));
    expect(events.find((e) => e.event === 'run.finished')!.data).toMatchObject({ status: 'ok', error: null });
    expect(await readdir(join(work, 'nas', 'files', 'src', 'docs'))).toEqual(['old']);
    expect(await readdir(join(work, 'nas', 'files', 'src', 'docs', 'old'))).toEqual(['b.txt']);
  });

  it('refuses a second backup while one runs, and cancels at a safe point: no snapshot, nothing deleted', async () => {
    await call('policies.select', { source: 'src', path: '', destination: 'disk', include: true });
    await call('runs.start', {});
    await waitFor(() => events.some((e) => e.event === 'run.finished'));
    // Next run: slow (bandwidth limit), with a file deleted from the source meanwhile.
    for (let i = 0; i < 6; i++) await writeFile(join(work, 'src', 'media', `big${i}.bin`), bytes(2_000_000, i + 10));
    await (await import('node:fs/promises')).rm(join(work, 'src', 'docs', 'a.txt'));
    await call('settings.set', { bandwidthLimit: 1_000_000, concurrency: 2 });
    events.length = 0;
    const { runId } = await call('runs.start', {});
    const busy = await service.handle('runs.start', {});
    expect(busy).toMatchObject({ ok: false, error: { code: 'busy' } });
    await waitFor(() => events.some((e) => e.event === 'run.progress'));
    expect(await call('runs.cancel')).toEqual({ cancelled: true });
    await waitFor(() => events.some((e) => e.event === 'run.finished'), 60_000);
    expect(events.find((e) => e.event === 'run.finished')!.data).toMatchObject({ runId, status: 'cancelled' });
    const snaps = await call('snapshots.list', { destination: 'disk' });
    expect(snaps).toHaveLength(1);
    // The deletion was not applied: a cancelled walk has not seen everything.
    expect(await readdir(join(work, 'disk', 'files', 'src', 'docs'))).toContain('a.txt');
    // The next run completes the work.
    await call('settings.set', { bandwidthLimit: null });
    events.length = 0;
    await call('runs.start', {});
    await waitFor(() => events.some((e) => e.event === 'run.finished'), 60_000);
    expect(events.find((e) => e.event === 'run.finished')!.data).toMatchObject({ status: 'ok' });
    expect(await readdir(join(work, 'disk', 'files', 'src', 'docs'))).not.toContain('a.txt');
    expect(await call('snapshots.list', { destination: 'disk' })).toHaveLength(2);
    const log = await call('runs.log', { runId, level: 'problems' });
    expect(log.lines.map((l) => l.message).join('\n')).toMatch(/cancelled/);
  });

  it('plans: schedule and retention saved with words and next runs; a malformed cron is a typed error', async () => {
    const plan = await call('plans.set', {
      destination: 'nas',
      schedule: { kind: 'daily', time: '02:30' },
      retention: { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 },
      staleAfterHours: 72,
    });
    expect(plan).toMatchObject({
      destination: 'nas',
      scheduleSummary: 'Every day at 02:30',
      retentionSummary: 'Keeps 7 daily, 4 weekly, 12 monthly',
      staleAfterHours: 72,
    });
    expect(plan.nextRuns).toHaveLength(3);
    expect(plan.nextRuns[1]! - plan.nextRuns[0]!).toBeGreaterThan(22 * 3_600_000);
    expect(events.some((e) => e.event === 'changed' && (e.data as { topics: string[] }).topics.includes('plans'))).toBe(
      true,
    );
    const bad = await service.handle('schedules.preview', { schedule: { kind: 'cron', expression: '99 * * * *' } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'usage' } });
    expect(!bad.ok && bad.error.hint).toContain('"30 2 * * *"');
    const badTime = await service.handle('plans.set', {
      destination: 'nas',
      schedule: { kind: 'daily', time: '24:00' },
    });
    expect(badTime).toMatchObject({ ok: false, error: { code: 'usage', field: 'schedule.time' } });
    const preview = await call('schedules.preview', { schedule: { kind: 'weekly', day: 'fri', time: '18:00' } });
    expect(preview.summary).toBe('Every Friday at 18:00');
    const dash = await call('dashboard.get');
    expect(dash.destinations.find((d) => d.name === 'nas')).toMatchObject({
      scheduleSummary: 'Every day at 02:30',
      nextRunAt: plan.nextRuns[0],
    });
    await call('settings.set', { schedulesPaused: true });
    expect((await call('plans.get', { destination: 'nas' })).nextRuns).toEqual([]);
    expect((await call('dashboard.get')).schedulesPaused).toBe(true);
  });

  it('previews a prune, runs it as a job, and shows the 3-2-1 view', async () => {
    await call('policies.select', { source: 'src', path: '', destination: 'disk', include: true });
    await call('policies.select', { source: 'src', path: 'docs', destination: 'nas', include: true });
    for (let i = 0; i < 3; i++) {
      await writeFile(join(work, 'src', 'docs', 'a.txt'), `version ${i}`);
      await call('runs.start', {});
      await waitFor(() => events.filter((e) => e.event === 'run.finished').length === i + 1);
    }
    await call('plans.set', { destination: 'disk', retention: { keepLast: 1 } });
    const preview = await call('prune.preview', { destination: 'disk' });
    expect(preview).toMatchObject({ remove: 2, keep: 1, historyObjects: 2, collectBlocked: null });
    expect(preview.snapshots.map((s) => s.keep)).toEqual([true, false, false]);
    expect(preview.snapshots[0]!.reasons).toEqual(['last snapshot']);
    expect(preview.bytesToFree).toBeGreaterThan(0);
    const { runId } = await call('prune.start', { destination: 'disk' });
    await waitFor(() =>
      events.some((e) => e.event === 'run.finished' && (e.data as { runId: number }).runId === runId),
    );
    expect((await call('runs.list', {}))[0]).toMatchObject({ id: runId, trigger: 'prune', status: 'ok' });
    expect(await call('snapshots.list', { destination: 'disk' })).toHaveLength(1);
    const coverage = await call('coverage.get');
    expect(coverage).toEqual([
      { source: 'src', folder: '', current: ['disk'], offsite: [], behind: [] },
      { source: 'src', folder: 'docs', current: ['disk', 'nas'], offsite: [], behind: [] },
    ]);
  });
});

describe('strata serve stopped during a backup', () => {
  it('checkpoints the run on SIGTERM, and the next serve completes it', async () => {
    const work = await serveTemp();
    await mkdir(join(work, 'src'));
    for (let i = 0; i < 8; i++) await writeFile(join(work, 'src', `f${i}.bin`), bytes(1_500_000, i));
    let host = await startServe(join(work, 'home'));
    await host.call('sources.add', { name: 'src', path: join(work, 'src') });
    await host.call('destinations.add', { name: 'disk', settings: { kind: 'local', path: join(work, 'disk') } });
    await host.call('policies.select', { source: 'src', path: '', destination: 'disk', include: true });
    await host.call('settings.set', { bandwidthLimit: 1_000_000, concurrency: 1 });
    await host.call('runs.start', {});
    await new Promise((r) => setTimeout(r, 1500));
    expect(await host.stop('SIGTERM')).toBe(0);
    expect(host.output()).toMatch(/stopping the running backup at a safe point/);
    host = await startServe(join(work, 'home'));
    const runs = await host.call<{ status: string }[]>('runs.list', {});
    expect(runs[0]!.status).toBe('cancelled');
    await host.call('settings.set', { bandwidthLimit: null });
    await host.call('runs.start', {});
    await waitForIdle((m, i) => host.call(m, i), 20_000);
    const after = await host.call<{ status: string; results: { filesUploaded: number }[] }[]>('runs.list', {});
    expect(after[0]!.status).toBe('ok');
    // Files sent before the stop were not sent again.
    expect(after[0]!.results[0]!.filesUploaded).toBeLessThan(8);
    expect((await readdir(join(work, 'disk', 'files', 'src'))).length).toBe(8);
    await host.stop();
  });
});

async function waitFor(cond: () => boolean, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
