/**
 * The UI end to end, the way a person uses it: Chromium (Debian's, through playwright-core)
 * against `strata serve` with a real engine, real SQLite, a local folder destination and a
 * B2-preset destination on s3rver over https. Screenshots of every screen go to
 * test-output/e2e/ for a human to look at.
 */

import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe.js';
import { launchChromium, haveChromium, SHOTS } from '../support/chromium.js';
import { startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { startServe, type ServedHost } from '../support/serve-host.js';
import { makeLocalCert } from '../support/tls-cert.js';
import { bytes } from '../support/tree.js';

const HAVE_CHROMIUM = haveChromium('UI');

describe.skipIf(!HAVE_CHROMIUM)('the Strata UI in Chromium against strata serve', () => {
  let work: string;
  let src: string;
  let s3: S3rverHarness;
  let host: ServedHost;
  let browser: Browser;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });
  const tree = () => page.getByRole('treegrid', { name: 'Folders of projects' });
  const row = (path: string) => tree().locator(`[role="row"][data-path="${path}"]`);
  const badge = (path: string, dest: string) => row(path).locator(`[role="img"][aria-label^="${dest}: "]`);

  async function waitForRunEnd(): Promise<void> {
    await page.getByRole('region', { name: 'Backup in progress' }).waitFor({ state: 'detached', timeout: 120_000 });
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    work = await mkdtemp(join(tmpdir(), 'strata-e2e-'));
    src = join(work, 'projects');
    await mkdir(join(src, 'docs', 'notes'), { recursive: true });
    await mkdir(join(src, 'photos'), { recursive: true });
    await writeFile(join(src, 'docs', 'plan.txt'), 'the plan\n');
    await writeFile(join(src, 'docs', 'notes', 'monday.md'), '# Monday\n');
    await writeFile(join(src, 'photos', 'lake.jpg'), bytes(300_000, 1));
    await writeFile(join(src, 'photos', 'video.mp4'), bytes(24_000_000, 2));
    await writeFile(join(src, 'readme.txt'), 'top level\n');
    const cert = makeLocalCert(work);
    s3 = await startS3rver(['strata-b2'], { tls: cert });
    host = await startServe(join(work, 'home'), { NODE_EXTRA_CA_CERTS: cert.certFile, HOME: work });
    browser = await launchChromium();
    // axe-core's Playwright builder needs a page of an explicit context.
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
    await s3?.stop();
  });

  it('onboards: a first folder, then a local destination tested and saved, then the dashboard', async () => {
    await expect(page.getByRole('heading', { name: 'Add your first folder' }).waitFor()).resolves.toBeUndefined();
    // The token left the address bar once the page took it.
    expect(page.url()).not.toContain('token=');
    await page.getByLabel('Folder', { exact: true }).fill(src);
    await page.getByLabel('Name', { exact: true }).fill('projects');
    await shot('01-onboarding-folder');
    await page.getByRole('button', { name: 'Add folder' }).click();

    await page.getByRole('heading', { name: 'Choose where backups go' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('usb-disk');
    await page.getByLabel('Folder', { exact: true }).fill(join(work, 'usb-backup'));
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText(/Connected: Strata can write, read, list and delete/).waitFor();
    await shot('02-onboarding-destination');
    await expectAccessible(page, 'onboarding');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Destination usb-disk' }).waitFor();
  });

  it('adds a Backblaze B2 destination (pointed at s3rver) with the provider preset and tests it', async () => {
    await nav('Destinations').click();
    await page.getByRole('button', { name: 'Add destination' }).click();
    await page.getByLabel('Provider', { exact: true }).selectOption({ label: 'Backblaze B2' });
    await page.getByLabel('Name', { exact: true }).fill('b2');
    // B2's fields: a region list, no endpoint unless asked for under Advanced.
    await page.getByLabel('Region', { exact: true }).selectOption('us-west-004');
    await page.getByLabel('Bucket', { exact: true }).fill('strata-b2');
    await page.getByLabel('Access key ID', { exact: true }).fill('S3RVER');
    await page.getByLabel('Secret access key', { exact: true }).fill('S3RVER');
    await page.getByText('Advanced').click();
    await page.getByLabel('Endpoint URL', { exact: true }).fill(s3.endpoint);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page
      .getByText(/Connected: Strata can write, read, list and delete in strata-b2/)
      .waitFor({ timeout: 60_000 });
    await shot('03-destination-b2-tested');
    await expectAccessible(page, 'destination editor');
    await page.getByRole('button', { name: 'Save' }).click();
    const item = page.getByRole('listitem', { name: 'b2' });
    await item.waitFor();
    await expect(item.textContent()).resolves.toContain('strata-b2');
    // The secret is never shown again.
    await expect(page.content()).resolves.not.toContain('S3RVER"');
    await shot('04-destinations');
  });

  it('ticks folders per destination, with the mouse and with the keyboard alone', async () => {
    await nav('Sources').click();
    await tree().waitFor();
    await row('docs').waitFor();
    await shot('05-sources-empty');
    // Everything to the local disk: tick the root.
    await row('').getByRole('checkbox', { name: 'Back up / to usb-disk' }).click();
    await expect
      .poll(() => row('photos').getByRole('checkbox', { name: 'Back up /photos to usb-disk' }).isChecked())
      .toBe(true);
    // Only docs to B2, by mouse.
    await row('docs').getByRole('checkbox', { name: 'Back up /docs to b2' }).click();
    await expect
      .poll(() => row('').getByRole('checkbox', { name: 'Back up / to b2' }).getAttribute('aria-checked'))
      .toBe('mixed');
    // Photos to B2 by keyboard: focus the docs row, arrow down to photos, Tab to its B2 box (the first column), Space.
    await row('docs').click({ position: { x: 60, y: 10 } });
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => row('photos').getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Tab');
    const photosB2 = row('photos').getByRole('checkbox', { name: 'Back up /photos to b2' });
    await expect.poll(() => photosB2.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Space');
    await expect.poll(() => photosB2.isChecked()).toBe(true);
    // Ticks wait in the save bar until saved.
    const bar = page.getByRole('region', { name: 'Unsaved changes' });
    await expect.poll(() => bar.textContent()).toMatch(/3 unsaved changes/);
    const unsaved = await host.call<{ destinations: Record<string, boolean> }[]>('policies.list', {
      source: 'projects',
    });
    expect(unsaved.filter((p) => Object.keys(p.destinations).length > 0)).toEqual([]);
    await bar.getByRole('button', { name: 'Save changes' }).click();
    await bar.waitFor({ state: 'detached' });
    const policies = await host.call<{ folder: string; destinations: Record<string, boolean> }[]>('policies.list', {
      source: 'projects',
    });
    expect(policies.map((p) => p.folder).sort()).toEqual(['', 'docs', 'photos']);
    await expect.poll(() => badge('docs', 'b2').getAttribute('data-badge-state')).toBe('pending');
    await shot('06-sources-ticked');
    await expectAccessible(page, 'sources');
  });

  it('backs up now, shows progress per destination, and turns the badges synced', async () => {
    // A bandwidth limit (set in Settings) keeps the run long enough to watch.
    await nav('Settings').click();
    await page.getByLabel('Bandwidth limit (MB/s)').fill('8');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Saved').waitFor();
    await expectAccessible(page, 'settings');

    await nav('Dashboard').click();
    await page.getByRole('button', { name: 'Back up now' }).first().click();
    const bar = page.getByRole('progressbar', { name: 'Backup progress to b2' });
    await bar.waitFor({ timeout: 30_000 });
    await page.getByRole('progressbar', { name: 'Backup progress to usb-disk' }).waitFor();
    await expect
      .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await shot('07-dashboard-running');
    await waitForRunEnd();
    const b2Card = page.getByRole('region', { name: 'Destination b2' });
    await expect.poll(() => b2Card.textContent(), { timeout: 30_000 }).toMatch(/1 of 1 recent run succeeded/);
    await shot('08-dashboard-done');
    await expectAccessible(page, 'dashboard');

    await nav('Sources').click();
    await expect.poll(() => badge('docs', 'b2').getAttribute('data-badge-state'), { timeout: 30_000 }).toBe('synced');
    await expect(badge('photos', 'usb-disk').getAttribute('data-badge-state')).resolves.toBe('synced');
    await expect(badge('readme.txt', 'usb-disk').getAttribute('data-badge-state')).resolves.toBe('synced');
    await expect(badge('readme.txt', 'b2').getAttribute('data-badge-state')).resolves.toBe('none');
    await expect(badge('', 'b2').getAttribute('title')).resolves.toMatch(/4 synced/);
    await shot('09-sources-synced');
  });

  it('shows failed badges with the reason when one destination breaks, while the other succeeds', async () => {
    await s3.stop();
    await writeFile(join(src, 'docs', 'new-report.txt'), 'written after the first backup\n');
    await nav('Dashboard').click();
    await page.getByRole('button', { name: 'Back up now' }).first().click();
    await page.getByRole('region', { name: 'Backup in progress' }).waitFor();
    await waitForRunEnd();
    const b2Card = page.getByRole('region', { name: 'Destination b2' });
    await expect.poll(() => b2Card.textContent(), { timeout: 30_000 }).toMatch(/failed/i);
    // Each card refreshes on its own when the run ends: wait for this one too.
    await expect
      .poll(() => page.getByRole('region', { name: 'Destination usb-disk' }).textContent(), { timeout: 30_000 })
      .toMatch(/2 of 2 recent runs succeeded/);
    await shot('10-dashboard-one-failed');

    await nav('Sources').click();
    // Open docs the way a keyboard user does: focus its row, ArrowRight.
    await row('docs').click({ position: { x: 60, y: 10 } });
    await page.keyboard.press('ArrowRight');
    const fresh = 'docs/new-report.txt';
    await row(fresh).waitFor({ timeout: 30_000 });
    await expect.poll(() => badge(fresh, 'b2').getAttribute('data-badge-state'), { timeout: 30_000 }).toBe('failed');
    await expect(badge(fresh, 'b2').getAttribute('title')).resolves.toMatch(/reach|connect|network|refused/i);
    await expect(badge(fresh, 'usb-disk').getAttribute('data-badge-state')).resolves.toBe('synced');
    // The folder rolls it up: something below it did not reach B2.
    await expect(badge('docs', 'b2').getAttribute('data-badge-state')).resolves.toBe('failed');
    await expect(badge('docs', 'b2').textContent()).resolves.toMatch(/1 failed/);
    // What the destination already holds is still shown as held.
    await expect(badge('docs/plan.txt', 'b2').getAttribute('data-badge-state')).resolves.toBe('synced');
    await shot('11-sources-failed-badges');

    await nav('Activity').click();
    const runs = page.getByRole('list', { name: 'Runs' });
    await runs.getByRole('listitem').first().waitFor();
    await expect(runs.getByRole('listitem').count()).resolves.toBe(2);
    await runs.getByRole('listitem').first().getByRole('button', { name: 'Show log' }).click();
    await page.getByRole('radio', { name: 'Problems' }).check();
    await expect
      .poll(() => page.getByRole('list', { name: /^Log of run/ }).textContent(), { timeout: 10_000 })
      .toMatch(/b2/);
    await shot('12-activity');
    await expectAccessible(page, 'activity');
  });

  it('follows a dark theme chosen in Settings', async () => {
    await nav('Settings').click();
    await page.getByRole('radio', { name: 'Dark' }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await nav('Dashboard').click();
    await shot('13-dashboard-dark');
    await expectAccessible(page, 'dashboard (dark)');
  });

  it('scrolls a folder of 100,000 files, keeping only the visible rows in the page', async () => {
    const big = join(src, 'big');
    await mkdir(big);
    for (let i = 0; i < 100_000; i += 1000) {
      await Promise.all(
        Array.from({ length: 1000 }, (_, j) => writeFile(join(big, `file-${String(i + j).padStart(6, '0')}.txt`), '')),
      );
    }
    await nav('Sources').click();
    await row('big').waitFor({ timeout: 30_000 });
    await row('big').click({ position: { x: 60, y: 10 } });
    await page.keyboard.press('ArrowRight');
    await row('big/file-000000.txt').waitFor({ timeout: 30_000 });
    expect(await tree().getAttribute('aria-rowcount')).toMatch(/^1000\d\d$/);
    // End jumps to the last row; its page is fetched on its own.
    await page.keyboard.press('End');
    await row('big/file-099999.txt').waitFor({ timeout: 30_000 });
    expect(await tree().locator('[role="row"]').count()).toBeLessThan(120);
    await shot('14-sources-100k');
    await page.keyboard.press('Home');
    await row('').waitFor();
  });

  it('gives page scripts no Node, no IPC and no inline script (CSP)', async () => {
    const reach = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      const s = document.createElement('script');
      s.textContent = 'window.__injected = 1';
      document.head.append(s);
      return [typeof w.require, typeof w.process, typeof w.ipcRenderer, typeof w.__injected];
    });
    expect(reach).toEqual(['undefined', 'undefined', 'undefined', 'undefined']);
    const res = await page.request.get(host.origin + '/');
    expect(res.headers()['content-security-policy']).toMatch(/script-src 'self'/);
  });
});

describe.skipIf(!HAVE_CHROMIUM)('the secret vault banner in Chromium', () => {
  it('creates the vault with a passphrase typed twice, then unlocks it after a restart', async () => {
    const work = await mkdtemp(join(tmpdir(), 'strata-e2e-vault-'));
    const env = { STRATA_PASSPHRASE: '', STRATA_SECRET_STORE: 'vault', HOME: work };
    let host = await startServe(join(work, 'home'), env);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      await page.goto(host.url);
      const banner = page.getByRole('region', { name: 'Choose a passphrase for your secrets' });
      await banner.waitFor();
      await banner.getByLabel('Passphrase', { exact: true }).fill('correct horse');
      await banner.getByLabel('Passphrase again').fill('correct hose');
      await banner.getByRole('button', { name: 'Create vault' }).click();
      await banner.getByText('The two passphrases differ').waitFor();
      await page.screenshot({ path: join(SHOTS, '16-vault-create.png') });
      await banner.getByLabel('Passphrase again').fill('correct horse');
      await banner.getByRole('button', { name: 'Create vault' }).click();
      await banner.waitFor({ state: 'detached' });
      await host.stop();

      host = await startServe(join(work, 'home'), env);
      await page.goto(host.url);
      const unlock = page.getByRole('region', { name: 'Unlock your secrets' });
      await unlock.getByLabel('Passphrase', { exact: true }).fill('battery staple');
      await unlock.getByRole('button', { name: 'Unlock' }).click();
      await unlock.getByText('Could not unlock').waitFor();
      await page.screenshot({ path: join(SHOTS, '17-vault-wrong-passphrase.png') });
      await unlock.getByLabel('Passphrase', { exact: true }).fill('correct horse');
      await unlock.getByRole('button', { name: 'Unlock' }).click();
      await unlock.waitFor({ state: 'detached' });
      expect(await host.call('secrets.status')).toMatchObject({ locked: false });
    } finally {
      await browser.close();
      await host.stop();
    }
  });
});
