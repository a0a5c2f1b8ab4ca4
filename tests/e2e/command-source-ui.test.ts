/**
 * A command source added with the CLI, in the app: Chromium (Debian's, through playwright-core)
 * against `strata serve`. The Sources screen lists it as a Command with its command line; its tree
 * is its one output file, ticked for a disk and backed up from the Dashboard, after which the file
 * shows synced. Then a SQLite database is added through "Add a database or command" (template,
 * fields, the command shown before it is added) and backed up the same way. Screenshots:
 * test-output/e2e/97-… to 100-… .
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, haveChromium, SHOTS } from '../support/chromium.js';
import { cliOk } from '../support/cli.js';
import { startServe, type ServedHost } from '../support/serve-host.js';

const HAVE_CHROMIUM = haveChromium('Command source');

describe.skipIf(!HAVE_CHROMIUM)('a command source in Chromium against strata serve', () => {
  let work: string;
  let home: string;
  let host: ServedHost;
  let browser: Browser;
  let page: Page;
  let sqliteFile: string;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });
  const sourceRow = (name: string) => page.getByRole('list', { name: 'Sources' }).getByRole('listitem', { name });
  const row = (path: string, source = 'notes-db') =>
    page.getByRole('treegrid', { name: `Folders of ${source}` }).locator(`[role="row"][data-path="${path}"]`);

  /** Ticks the source's one file for usb-disk, backs up from the Dashboard, and waits for it to show synced. */
  async function tickAndBackUp(source: string, file: string, shotName: string): Promise<void> {
    await row(file, source).waitFor({ timeout: 30_000 });
    const box = row(file, source).getByRole('checkbox', { name: `Back up /${file} to usb-disk` });
    await box.click();
    await expect.poll(() => box.isChecked()).toBe(true);
    const bar = page.getByRole('region', { name: 'Unsaved changes' });
    await bar.getByRole('button', { name: 'Save changes' }).click();
    await bar.waitFor({ state: 'detached' });
    await shot(shotName);
    await backUpAndSeeSynced(source, file);
  }

  /** Back up now from the Dashboard, then the source's file shows synced for usb-disk. */
  async function backUpAndSeeSynced(source: string, file: string): Promise<void> {
    const before = (await host.call<{ id: number }[]>('runs.list', { limit: 1 }))[0]?.id ?? 0;
    await nav('Dashboard').click();
    await page.getByRole('button', { name: 'Back up now' }).first().click();
    await expect
      .poll(
        async () => {
          const [run] = await host.call<{ id: number; status: string }[]>('runs.list', { limit: 1 });
          return run && run.id > before ? run.status : 'not started';
        },
        { timeout: 60_000 },
      )
      .toBe('ok');
    await nav('Sources').click();
    await sourceRow(source)
      .getByRole('button', { name: new RegExp(`^${source}`) })
      .click();
    const badge = row(file, source).locator('[role="img"][aria-label^="usb-disk: "]');
    await expect.poll(() => badge.getAttribute('data-badge-state'), { timeout: 30_000 }).toBe('synced');
  }

  /** "Back up now" on the Dashboard; the new run's final status. */
  async function backUpNow(): Promise<string> {
    const before = (await host.call<{ id: number }[]>('runs.list', { limit: 1 }))[0]?.id ?? 0;
    await nav('Dashboard').click();
    await page.getByRole('button', { name: 'Back up now' }).first().click();
    let status = 'not started';
    await expect
      .poll(
        async () => {
          const [run] = await host.call<{ id: number; status: string }[]>('runs.list', { limit: 1 });
          status = run && run.id > before ? run.status : 'not started';
          return status === 'not started' || status === 'running' ? 'waiting' : 'done';
        },
        { timeout: 60_000 },
      )
      .toBe('done');
    return status;
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    work = await mkdtemp(join(tmpdir(), 'strata-e2e-command-'));
    home = join(work, 'home');
    await mkdir(home);
    await mkdir(join(work, 'usb'));
    const o = { home };
    await cliOk(['init'], o);
    await cliOk(['dest', 'add', 'local', 'usb-disk', join(work, 'usb')], o);
    await cliOk(
      [
        ...['source', 'add', 'command', 'notes-db', '--output-name', 'notes.sql', '--shell', '--'],
        "printf 'CREATE TABLE notes (body text);\\nINSERT INTO notes VALUES (1);\\n'",
      ],
      o,
    );
    sqliteFile = join(work, 'shop.db');
    execFileSync('sqlite3', [sqliteFile, "CREATE TABLE items (name TEXT); INSERT INTO items VALUES ('lamp');"]);
    host = await startServe(home, { HOME: work });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(host.url);
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('lists it with its command, shows its output file, and backs it up', async () => {
    await nav('Sources').click();
    const r = sourceRow('notes-db');
    await r.waitFor();
    await expect(r.getByText('Command', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(r.textContent()).resolves.toContain('→ notes.sql');
    await r.getByRole('button', { name: /^notes-db/ }).click();
    await tickAndBackUp('notes-db', 'notes.sql', '97-command-source-ticked');
    await shot('98-command-source-synced');
  });

  it('adds a SQLite database with the "Add a database or command" form and backs it up', async () => {
    await nav('Sources').click();
    await page.getByRole('button', { name: 'Add source' }).click();
    await page.getByRole('radio', { name: /^Command/ }).check();
    await page.getByRole('heading', { name: 'Add a database or command' }).waitFor();
    const form = page.getByRole('form', { name: 'New database or command source' });
    await form.getByRole('radio', { name: /^PostgreSQL/ }).waitFor();
    // Nothing filled in: each problem is said where it is.
    await form.getByRole('button', { name: 'Add source' }).click();
    await form.getByText('Give the database to dump').waitFor();
    await form.getByRole('radio', { name: /^SQLite/ }).check();
    await form.getByLabel('Database file', { exact: true }).fill(sqliteFile);
    await expect(form.getByRole('status').textContent()).resolves.toBe(`sqlite3 ${sqliteFile} .dump → shop.sql`);
    await form.getByLabel('Name', { exact: true }).fill('shop-db');
    // Where it goes, chosen right in the form.
    await form
      .getByRole('group', { name: 'Back up to' })
      .getByRole('checkbox', { name: /^usb-disk/ })
      .check();
    await shot('99-command-source-form');
    await form.getByRole('button', { name: 'Add source' }).click();
    const r = sourceRow('shop-db');
    await r.waitFor();
    await expect(r.textContent()).resolves.toContain(`sqlite3 ${sqliteFile} .dump → shop.sql`);
    await r.getByRole('button', { name: /^shop-db/ }).click();
    // A destination that does not exist is refused before any source is added.
    await expect(
      host.call('sources.addCommand', {
        name: 'ghost-db',
        command: { argv: ['true'], outputName: 'ghost.sql' },
        destinations: ['no-such-disk'],
      }),
    ).rejects.toThrow(/no-such-disk/);
    await expect(host.call<{ name: string }[]>('sources.list')).resolves.not.toContainEqual(
      expect.objectContaining({ name: 'ghost-db' }),
    );
    // Ticked at its root for usb-disk by the form: the file follows.
    const box = row('shop.sql', 'shop-db').getByRole('checkbox', { name: 'Back up /shop.sql to usb-disk' });
    await expect.poll(() => box.isChecked(), { timeout: 30_000 }).toBe(true);
    await expect(host.call('policies.list', { source: 'shop-db' })).resolves.toMatchObject([{ folder: '' }]);
    await shot('100-command-source-sqlite-ticked');
    await backUpAndSeeSynced('shop-db', 'shop.sql');
  });

  it('runs commands set in the Rules panel before and after the backup, and a failing one stops it', async () => {
    const log = join(work, 'hooks.log');
    await nav('Sources').click();
    await sourceRow('notes-db')
      .getByRole('button', { name: /^notes-db/ })
      .click();
    const rules = page.getByRole('region', { name: 'Rules for /' });
    await rules.waitFor();
    // One file: nothing to exclude, so no exclusion form; the commands are there.
    await rules.getByText('nothing to leave out').waitFor();
    await expect(rules.getByLabel(/Exclusion patterns/).count()).resolves.toBe(0);
    const before = rules.getByRole('form', { name: 'Before the backup' });
    const after = rules.getByRole('form', { name: 'After the backup' });
    await before.getByLabel('Before the backup', { exact: true }).fill(`echo "before $STRATA_SOURCE" >> '${log}'`);
    await before.getByLabel('Time limit', { exact: true }).fill('soon');
    await before.getByRole('button', { name: 'Save' }).click();
    await before.getByRole('alert').filter({ hasText: "invalid time limit 'soon'" }).waitFor();
    await before.getByLabel('Time limit', { exact: true }).fill('2m');
    await before.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => before.getByRole('status').textContent()).toBe('Saved');
    await after.getByLabel('After the backup', { exact: true }).fill(`echo "after $STRATA_STATUS" >> '${log}'`);
    await after.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => after.getByRole('status').textContent()).toBe('Saved');
    await expect(host.call('hooks.list', { source: 'notes-db' })).resolves.toEqual([
      {
        source: 'notes-db',
        folder: '',
        phase: 'before',
        command: `echo "before $STRATA_SOURCE" >> '${log}'`,
        timeoutMs: 120_000,
      },
      {
        source: 'notes-db',
        folder: '',
        phase: 'after',
        command: `echo "after $STRATA_STATUS" >> '${log}'`,
        timeoutMs: 900_000,
      },
    ]);
    await shot('101-hooks-rules-panel');

    await expect(backUpNow()).resolves.toBe('ok');
    await expect(readFile(log, 'utf8')).resolves.toBe('before notes-db\nafter ok\n');

    // A before-command that fails: no backup, the reason on the Dashboard, the after-command told.
    await nav('Sources').click();
    await sourceRow('notes-db')
      .getByRole('button', { name: /^notes-db/ })
      .click();
    await before
      .getByLabel('Before the backup', { exact: true })
      .fill("echo 'app refused maintenance mode' >&2; exit 4");
    await before.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => before.getByRole('status').textContent()).toBe('Saved');
    // The other source (shop-db) still backs up: the run is partial.
    await expect(backUpNow()).resolves.toBe('partial');
    await page
      .getByText(/before-backup hook failed/)
      .first()
      .waitFor({ timeout: 15_000 });
    await expect(page.getByText(/app refused maintenance mode/).count()).resolves.toBeGreaterThan(0);
    await shot('102-hooks-before-failed');
    await expect(readFile(log, 'utf8')).resolves.toBe('before notes-db\nafter ok\nafter failed\n');

    // Removed in the panel, gone from the host.
    await nav('Sources').click();
    await sourceRow('notes-db')
      .getByRole('button', { name: /^notes-db/ })
      .click();
    await before.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => before.getByRole('status').textContent()).toBe('Removed');
    await expect(before.getByLabel('Before the backup', { exact: true }).inputValue()).resolves.toBe('');
    await expect(host.call<{ phase: string }[]>('hooks.list', { source: 'notes-db' })).resolves.toMatchObject([
      { phase: 'after' },
    ]);
  });
});
