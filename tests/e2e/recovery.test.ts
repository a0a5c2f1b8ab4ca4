/**
 * Disaster recovery in the UI: backups made beforehand (through the CLI, another data folder) into
 * a local-disk destination; a fresh `strata serve` shows onboarding, where "Restore from an
 * existing backup" connects that folder, lists its sources and snapshots, rebuilds the index
 * and lands on the Restore screen (the dashboard while that screen does not exist yet); the
 * sources are back with synced badges and current copies. Screenshots go to test-output/e2e/5x-*.png.
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCREENS, SCREEN_TITLES, type Screen } from '../../renderer/src/store/route.js';
import { expectAccessible } from '../support/axe.js';
import { launchChromium, haveChromium, SHOTS } from '../support/chromium.js';
import { cliOk } from '../support/cli.js';
import { startServe, type ServedHost } from '../support/serve-host.js';
import { bytes, put } from '../support/tree.js';

const HAVE_CHROMIUM = haveChromium('recovery');
/** Where the recovery lands: the Restore screen once it is in the navigation, else the dashboard. */
const LANDING = ((SCREENS as readonly string[]).includes('restore') ? 'restore' : 'dashboard') as Screen;

describe.skipIf(!HAVE_CHROMIUM)('restore from an existing backup, in Chromium against a fresh strata serve', () => {
  let work: string;
  let usb: string;
  let host: ServedHost;
  let browser: Browser;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    work = await mkdtemp(join(tmpdir(), 'strata-e2e-recovery-'));
    usb = join(work, 'usb-backup');
    const docs = join(work, 'Documents');
    const photos = join(work, 'Pictures');
    await put(docs, 'letters/landlord.txt', 'Dear landlord,\n');
    await put(docs, 'taxes/2025.pdf', bytes(120_000, 3));
    await put(docs, 'todo.md', '- call the bank\n');
    await put(photos, 'summer/lake.jpg', bytes(400_000, 1));
    await put(photos, 'summer/boat.jpg', bytes(250_000, 2));

    // The old machine: two folders backed up twice to a backup disk.
    const old = { home: join(work, 'old-home') };
    await cliOk(['source', 'add', 'local', 'documents', docs], old);
    await cliOk(['source', 'add', 'local', 'pictures', photos], old);
    await cliOk(['dest', 'add', 'local', 'usb-disk', usb], old);
    await cliOk(['policy', 'set', 'documents', '/', '--to', 'usb-disk'], old);
    await cliOk(['policy', 'set', 'pictures', '/', '--to', 'usb-disk'], old);
    await cliOk(['backup'], old);
    await writeFile(join(docs, 'todo.md'), '- call the bank\n- renew the passport\n');
    await cliOk(['backup'], old);

    // The new machine: nothing but the disk.
    host = await startServe(join(work, 'new-home'), { HOME: work });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
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

  it('offers "Restore from an existing backup" beside the normal start', async () => {
    await page.getByRole('heading', { name: 'Add your first folder' }).waitFor();
    await shot('50-recovery-offer');
    await page.getByRole('button', { name: 'Restore from an existing backup' }).click();
    await page.getByRole('heading', { name: 'Restore from an existing backup' }).waitFor();
    await page.getByLabel('Folder', { exact: true }).fill(usb);
    await page.getByLabel('Name', { exact: true }).fill('usb-disk');
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText(/Connected: Strata can write, read, list and delete/).waitFor();
    await shot('51-recovery-connect');
    await expectAccessible(page, 'recovery: connect');
  });

  it('finds the sources and snapshots on the destination alone', async () => {
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByRole('heading', { name: 'Backups found in usb-disk' }).waitFor({ timeout: 30_000 });
    await page.getByText(/^4 snapshots of 2 sources, the latest from /).waitFor();
    const table = page.getByRole('table', { name: 'Sources found' });
    const rows = table.getByRole('row');
    await expect(rows.count()).resolves.toBe(3);
    await expect(rows.nth(1).textContent()).resolves.toMatch(/^documentsFolder.*Documents.*2/);
    await expect(rows.nth(2).textContent()).resolves.toMatch(/^picturesFolder.*Pictures.*2/);
    await shot('52-recovery-found');
    await expectAccessible(page, 'recovery: found');
  });

  it('rebuilds the index and lands on the Restore screen', async () => {
    await page.getByRole('button', { name: 'Continue to restore' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => nav(SCREEN_TITLES[LANDING]).getAttribute('aria-current')).toBe('page');
    // The Restore screen lists the destination's snapshots (those of the first source first).
    if (LANDING === 'restore') await page.getByRole('group', { name: 'Snapshot' }).waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    await shot('53-recovery-landed');

    const sources = await host.call<{ name: string; path: string }[]>('sources.list');
    expect(sources.map((s) => [s.name, s.path])).toEqual([
      ['documents', join(work, 'Documents')],
      ['pictures', join(work, 'Pictures')],
    ]);
    const snaps = await host.call<unknown[]>('snapshots.list', { destination: 'usb-disk' });
    expect(snaps).toHaveLength(4);
  });

  it('shows the sources back, ticked for the disk, with synced badges', async () => {
    await nav('Sources').click();
    const tree = page.getByRole('treegrid', { name: 'Folders of documents' });
    const badge = (path: string) =>
      tree.locator(`[role="row"][data-path="${path}"]`).locator('[role="img"][aria-label^="usb-disk: "]');
    await expect.poll(() => badge('todo.md').getAttribute('data-badge-state'), { timeout: 30_000 }).toBe('synced');
    await expect(badge('letters').getAttribute('data-badge-state')).resolves.toBe('synced');
    await shot('54-recovery-sources-synced');
  });

  it('counts the copies on the disk as current in the 3-2-1 view', async () => {
    const coverage = await host.call<{ source: string; current: string[] }[]>('coverage.get');
    expect(coverage.map((c) => [c.source, c.current])).toEqual([
      ['documents', ['usb-disk']],
      ['pictures', ['usb-disk']],
    ]);
    await nav('Dashboard').click();
    await page.getByRole('region', { name: 'Destination usb-disk' }).waitFor();
    await page.getByRole('heading', { name: 'Copies' }).waitFor();
    await page.waitForLoadState('networkidle');
    await shot('55-recovery-dashboard');
  });
});
