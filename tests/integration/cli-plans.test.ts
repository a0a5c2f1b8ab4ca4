/**
 * Schedules, retention, prune, alerts, the webhook and the daemon through the `strata` process,
 * the way a self-hoster drives them on a server: real files, real SQLite, local destinations.
 */
import Database from 'better-sqlite3';
import { createServer, type Server } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOk, resultOf, runCli, startCli } from '../support/cli.js';
import { put } from '../support/tree.js';

describe('strata schedule, retention, prune, status and daemon', () => {
  let work: string;
  let home: string;
  let src: string;
  let hook: Server;
  let hookUrl: string;
  const posts: { url: string; body: Record<string, unknown> }[] = [];
  const o = () => ({ home, env: { TZ: 'Europe/Berlin' } });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'strata-cli-plans-'));
    home = join(work, 'home');
    src = join(work, 'docs');
    await put(src, 'a.txt', 'alpha');
    await put(src, 'notes/b.txt', 'bravo');
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        posts.push({ url: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const addr = hook.address() as { port: number };
    hookUrl = `http://127.0.0.1:${addr.port}/hook`;
    await cliOk(['source', 'add', 'local', 'docs', src], o());
    await cliOk(['dest', 'add', 'local', 'nas', join(work, 'nas')], o());
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'nas'], o());
  });

  afterAll(async () => {
    await new Promise((r) => hook.close(r));
  });

  it('sets schedules in plain forms and shows the next runs in local time', async () => {
    const daily = await cliOk(['schedule', 'set', 'nas', '--daily', '2:30'], o());
    expect(daily).toContain('nas: Every day at 02:30');
    expect(daily).toMatch(
      /next runs \(Europe\/Berlin\): \d{4}-\d\d-\d\d 02:30, \d{4}-\d\d-\d\d 02:30, \d{4}-\d\d-\d\d 02:30/,
    );
    const weekly = resultOf<{ scheduleSummary: string; nextRuns: number[] }>(
      await cliOk(['schedule', 'set', 'nas', '--weekly', 'mon', '03:00', '--json'], o()),
    );
    expect(weekly.scheduleSummary).toBe('Every Monday at 03:00');
    expect(weekly.nextRuns).toHaveLength(3);
    expect(weekly.nextRuns[1]! - weekly.nextRuns[0]!).toBeGreaterThanOrEqual(7 * 86_400_000 - 3_600_000);
    const cron = await cliOk(['schedule', 'set', 'nas', '--cron', '15 */6 * * *', '--alert-after', '3d'], o());
    expect(cron).toContain('Cron: 15 */6 * * *');
    expect(cron).toContain('alert when no backup succeeded for 72 h');
    const list = resultOf<{ plans: { destination: string; scheduleSummary: string }[] }>(
      await cliOk(['schedule', 'list', '--json'], o()),
    );
    expect(list.plans).toEqual([
      expect.objectContaining({ destination: 'nas', scheduleSummary: 'Cron: 15 */6 * * *' }),
    ]);
  });

  it('refuses a malformed time or cron expression with an example of the right form', async () => {
    const time = await runCli(['schedule', 'set', 'nas', '--daily', '25:00'], o());
    expect(time.code).toBe(2);
    expect(time.stderr).toContain("malformed time '25:00'");
    expect(time.stderr).toContain('e.g. 02:30');
    const cron = await runCli(['schedule', 'set', 'nas', '--cron', '61 * * * *'], o());
    expect(cron.code).toBe(2);
    expect(cron.stderr).toMatch(/malformed cron expression '61 \* \* \* \*'/);
    expect(cron.stderr).toContain('"30 2 * * *"');
    const day = await runCli(['schedule', 'set', 'nas', '--weekly', 'someday', '02:00'], o());
    expect(day.code).toBe(2);
    expect(day.stderr).toContain("malformed weekday 'someday'");
    const two = await runCli(['schedule', 'set', 'nas', '--daily', '02:00', '--hourly'], o());
    expect(two.code).toBe(2);
    const dur = await runCli(['retention', 'set', 'nas', '--keep-within', '30x'], o());
    expect(dur.code).toBe(2);
    expect(dur.stderr).toContain("malformed duration '30x'");
    // Nothing half-applied: the schedule is still the cron set before.
    expect(await cliOk(['schedule', 'list'], o())).toContain('Cron: 15 */6 * * *');
  });

  it('previews a prune, changes nothing on a dry run, then removes what retention lets go', async () => {
    for (let i = 1; i <= 3; i++) {
      await put(src, 'a.txt', `alpha version ${i}`);
      await cliOk(['backup'], o());
    }
    expect(await cliOk(['retention', 'set', 'nas', '--preset', 'gfs'], o())).toContain(
      'keeps 7 daily, 4 weekly, 12 monthly',
    );
    await cliOk(['retention', 'set', 'nas', '--keep-last', '1'], o());
    const preview = resultOf<{
      reports: { remove: number; keep: number; historyObjects: number; snapshots: { keep: boolean }[] }[];
    }>(await cliOk(['prune', '--dry-run', '--json'], o()));
    expect(preview.reports[0]).toMatchObject({ remove: 2, keep: 1 });
    expect(preview.reports[0]!.historyObjects).toBe(2);
    const snaps = () =>
      cliOk(['snapshots', '--json'], o()).then((out) => resultOf<{ snapshots: unknown[] }>(out).snapshots);
    expect(await snaps()).toHaveLength(3);
    const human = await cliOk(['prune', '--dry-run'], o());
    expect(human).toContain('Would remove 2 snapshot(s)');
    expect(human).toContain('Nothing was changed (--dry-run)');
    const done = await cliOk(['prune', '--dest', 'nas'], o());
    expect(done).toMatch(/Removed 2 snapshot\(s\)/);
    expect(await snaps()).toHaveLength(1);
    // The kept snapshot restores.
    const to = join(work, 'restored');
    await cliOk(['restore', 'nas', 'latest', '--to', to], o());
    const runs = resultOf<{ runs: { trigger: string }[] }>(await cliOk(['status', '--json'], o())).runs;
    expect(runs[0]!.trigger).toBe('prune');
  });

  it('opens an alert after three failed runs: status exits 4, the chat webhook hears it', async () => {
    await cliOk(['webhook', 'set', hookUrl, '--style', 'chat'], o());
    await cliOk(['webhook', 'test'], o());
    expect(posts.at(-1)!.body.text).toMatch(/test message/);
    await cliOk(['dest', 'add', 'local', 'usb', join(work, 'usb')], o());
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'nas,usb'], o());
    // The disk's folder is gone and a file stands in its place: every write there fails.
    await rm(join(work, 'usb'), { recursive: true, force: true });
    await writeFile(join(work, 'usb'), 'not a folder');
    for (let i = 0; i < 2; i++) expect((await runCli(['backup'], o())).code).not.toBe(0);
    expect((await runCli(['status'], o())).code).toBe(0);
    const third = await runCli(['backup'], o());
    expect(third.stderr).toContain('ALERT usb: 3 backups in a row failed');
    const st = await runCli(['status'], o());
    expect(st.code).toBe(4);
    expect(st.stdout).toContain('Open alerts:');
    expect(st.stdout).toMatch(/! usb: 3 backups in a row failed/);
    const alert = posts.find((p) => p.body.event === 'alert.opened');
    expect(alert?.body).toMatchObject({ destination: 'usb', kind: 'failures' });
    expect(String(alert?.body.text)).toContain('usb: 3 backups in a row failed');
    // Fixed: the next run succeeds and the alert closes (and the webhook says so).
    await rm(join(work, 'usb'));
    await mkdir(join(work, 'usb'));
    await cliOk(['backup'], o());
    expect((await runCli(['status'], o())).code).toBe(0);
    expect(posts.some((p) => p.body.event === 'alert.closed' && p.body.destination === 'usb')).toBe(true);
  });

  it('pings a healthchecks-style URL after every run, /fail when it failed', async () => {
    await cliOk(['webhook', 'set', hookUrl, '--style', 'healthchecks'], o());
    posts.length = 0;
    await cliOk(['backup'], o());
    expect(posts.map((p) => p.url)).toEqual(['/hook']);
    expect(posts[0]!.body).toMatchObject({ event: 'run.finished', status: 'ok', trigger: 'cli' });
    await rm(join(work, 'usb'), { recursive: true });
    await writeFile(join(work, 'usb'), 'not a folder');
    expect((await runCli(['backup', '--dest', 'usb'], o())).code).toBe(1);
    expect(posts.map((p) => p.url)).toEqual(['/hook', '/hook/fail']);
    await rm(join(work, 'usb'));
    await mkdir(join(work, 'usb'));
    await cliOk(['webhook', 'remove'], o());
    await cliOk(['backup'], o());
    expect(posts).toHaveLength(2);
  });

  it('the daemon catches up a missed slot once, then stops cleanly on SIGTERM', async () => {
    await cliOk(['schedule', 'set', 'nas', '--daily', '03:00'], o());
    await cliOk(['schedule', 'set', 'usb', '--manual'], o());
    // The machine was off for three days: the last handled slot is long gone.
    const db = new Database(join(home, 'strata.db'));
    db.prepare('UPDATE destination_plans SET last_slot_at = ?').run(Date.now() - 3 * 86_400_000);
    db.close();
    const before = resultOf<{ runs: { id: number }[] }>(await cliOk(['status', '--json'], o())).runs[0]!.id;
    const child = startCli(['daemon'], { home, env: { TZ: 'Europe/Berlin', STRATA_CATCHUP_DELAY_MS: '300' } });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const end = Date.now() + 60_000;
    while (!/run \d+ finished: ok/.test(out) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    // Give it time to (wrongly) run again before stopping it.
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(out).toContain('Strata daemon started (time zone Europe/Berlin)');
    expect(out).toMatch(/nas: Every day at 03:00, next \d{4}-/);
    expect(out.match(/started \(catch-up\)/g)).toHaveLength(1);
    expect(out).toContain('Strata daemon stopped.');
    expect(code).toBe(0);
    const runs = resultOf<{ runs: { id: number; trigger: string; status: string }[] }>(
      await cliOk(['status', '--json'], o()),
    ).runs.filter((r) => r.id > before);
    expect(runs).toEqual([expect.objectContaining({ trigger: 'catch-up', status: 'ok' })]);
  });
});
