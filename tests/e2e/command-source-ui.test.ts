/**
 * A command source added with the CLI, in the app: Chromium (Debian's, through playwright-core)
 * against `strata serve`. The Sources screen lists it as a Command with its command line; its tree
 * is its one output file, ticked for a disk and backed up from the Dashboard, after which the file
 * shows synced. Screenshots: test-output/e2e/97-… .
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
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

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });
  const sourceRow = (name: string) => page.getByRole('list', { name: 'Sources' }).getByRole('listitem', { name });
  const row = (path: string) =>
    page.getByRole('treegrid', { name: 'Folders of notes-db' }).locator(`[role="row"][data-path="${path}"]`);

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
    await row('notes.sql').waitFor({ timeout: 30_000 });
    const box = row('notes.sql').getByRole('checkbox', { name: 'Back up /notes.sql to usb-disk' });
    await box.click();
    await expect.poll(() => box.isChecked()).toBe(true);
    const bar = page.getByRole('region', { name: 'Unsaved changes' });
    await bar.getByRole('button', { name: 'Save changes' }).click();
    await bar.waitFor({ state: 'detached' });
    await shot('97-command-source-ticked');

    await nav('Dashboard').click();
    await page.getByRole('button', { name: 'Back up now' }).first().click();
    await expect
      .poll(
        async () => {
          const runs = await host.call<{ id: number; status: string }[]>('runs.list', { limit: 5 });
          return runs[0]?.status;
        },
        { timeout: 60_000 },
      )
      .toBe('ok');
    await nav('Sources').click();
    await sourceRow('notes-db')
      .getByRole('button', { name: /^notes-db/ })
      .click();
    const badge = row('notes.sql').locator('[role="img"][aria-label^="usb-disk: "]');
    await expect.poll(() => badge.getAttribute('data-badge-state'), { timeout: 30_000 }).toBe('synced');
    await shot('98-command-source-synced');
  });
});
