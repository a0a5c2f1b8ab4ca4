/**
 * Verification in the UI, end to end: Chromium (Debian's, through playwright-core) against
 * `strata serve` with a real engine and two local folder destinations holding the same backup.
 * A quick check proves one intact; a stored file deleted behind Strata's back is found by the
 * next check, repaired from the other destination, and the check after that is intact again.
 * The plan editor schedules checks. Screenshots go to test-output/e2e/ (6x-…).
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe.js';
import { launchChromium, haveChromium, SHOTS } from '../support/chromium.js';
import { waitForIdle } from '../support/host-runs.js';
import { startServe, type ServedHost } from '../support/serve-host.js';
import { bytes } from '../support/tree.js';

const HAVE_CHROMIUM = haveChromium('Verify');

describe.skipIf(!HAVE_CHROMIUM)('verification and repair in Chromium against strata serve', () => {
  let work: string;
  let host: ServedHost;
  let browser: Browser;
  let page: Page;

  /** A modal's backdrop covers the viewport only: dialogs are shot as the viewport shows them. */
  const shot = (name: string, fullPage = true) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });
  const card = (name: string) => page.getByRole('region', { name: `Destination ${name}` });
  /** The card's Verification line. */
  const verification = (name: string) => card(name).locator('dt:text-is("Verification") + dd');

  /** Waits until no run is going on (the host refuses a check meanwhile). */
  async function idle(): Promise<void> {
    await waitForIdle((m, i) => host.call(m, i));
  }

  /** Verify… on a card, Quick, Start; waits for the check to end and the card to say how. */
  async function quickCheck(name: string, expected: RegExp, screenshot?: string): Promise<void> {
    await card(name).getByRole('button', { name: 'Verify…' }).click();
    const dialog = page.getByRole('dialog', { name: `Verify ${name}` });
    await expect(dialog.getByRole('radio', { name: 'Quick' }).isChecked()).resolves.toBe(true);
    if (screenshot) {
      await shot(screenshot, false);
      await expectAccessible(page, 'verify dialog');
    }
    await dialog.getByRole('button', { name: 'Start' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => verification(name).textContent(), { timeout: 60_000 }).toMatch(expected);
    await idle();
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    work = await mkdtemp(join(tmpdir(), 'strata-e2e-verify-'));
    const src = join(work, 'projects');
    await mkdir(join(src, 'docs'), { recursive: true });
    await mkdir(join(src, 'photos'), { recursive: true });
    await writeFile(join(src, 'docs', 'plan.txt'), 'the plan\n');
    await writeFile(join(src, 'docs', 'notes.md'), '# Notes\n');
    await writeFile(join(src, 'photos', 'lake.jpg'), bytes(300_000, 1));
    host = await startServe(join(work, 'home'), { HOME: work });
    // Set up and backed up through the API: onboarding and Back up now have their own tests.
    await host.call('sources.add', { name: 'projects', path: src });
    for (const name of ['usb-disk', 'nas']) {
      await host.call('destinations.add', { name, settings: { kind: 'local', path: join(work, name) } });
      await host.call('policies.select', { source: 'projects', path: '', destination: name, include: true });
    }
    await host.call('runs.start', {});
    await idle();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    await page.goto(host.url);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('a quick check says the destination is intact', async () => {
    await expect(verification('usb-disk').textContent()).resolves.toMatch(/^Never verified/);
    await expect(card('usb-disk').getByRole('button', { name: 'View report' }).count()).resolves.toBe(0);
    await quickCheck('usb-disk', /^Quick check just now: intact/, '60-verify-dialog');
    await expect(card('usb-disk').getByRole('button', { name: 'View report' }).isVisible()).resolves.toBe(true);
    await shot('61-dashboard-verified');
    await expectAccessible(page, 'dashboard verified');
  });

  it('finds a stored file deleted behind its back, repairs it from the other destination, and is intact again', async () => {
    await rm(join(work, 'usb-disk', 'files', 'projects', 'docs', 'plan.txt'));
    await quickCheck('usb-disk', /^Quick check just now: 1 version missing or damaged/);
    await expect(verification('usb-disk').locator('.err-text').count()).resolves.toBe(1);
    await shot('62-dashboard-problem');

    await card('usb-disk').getByRole('button', { name: 'View report' }).click();
    const report = page.getByRole('dialog', { name: 'Verification of usb-disk' });
    const table = report.getByRole('table', { name: 'Problems on usb-disk' });
    await table.waitFor();
    const rows = table.getByRole('row');
    await expect(rows.count()).resolves.toBe(2);
    const cells = await rows.nth(1).getByRole('cell').allTextContents();
    expect(cells[0]).toBe('docs/plan.txt');
    expect(cells[1]).toBe('Missing');
    expect(cells[2]).toMatch(/is not on the destination/);
    expect(cells[3]).toBe('nas');
    await shot('63-verify-report', false);
    await expectAccessible(page, 'verify report');

    await report.getByRole('button', { name: 'Repair from nas' }).click();
    await report.getByText('Repaired 1 version from nas.').waitFor({ timeout: 60_000 });
    await shot('64-verify-repaired', false);
    await expectAccessible(page, 'verify report repaired');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('67-verify-repaired-dark', false);
    await expectAccessible(page, 'verify report repaired (dark)');
    await page.emulateMedia({ colorScheme: 'light' });

    await report.getByRole('button', { name: 'Verify again' }).click();
    await report.waitFor({ state: 'detached' });
    await expect
      .poll(() => verification('usb-disk').textContent(), { timeout: 60_000 })
      .toMatch(/^Quick check just now: intact/);
    await idle();
    await shot('65-dashboard-intact-again');

    // Activity records each check as a run of its own.
    await nav('Activity').click();
    const runs = page.getByRole('list', { name: 'Runs' }).getByRole('listitem');
    await runs.first().waitFor();
    await expect(runs.first().textContent()).resolves.toMatch(/Verif/);
  });

  it('schedules a weekly deep check of a share in the plan editor, shown on the card', async () => {
    await nav('Destinations').click();
    await page.getByRole('button', { name: 'Schedule & retention of nas' }).click();
    const form = page.getByRole('form', { name: 'Schedule and retention of nas' });
    await form.waitFor();
    await form.getByLabel('How often').selectOption({ label: 'Every day' });
    await form.getByLabel('Verify', { exact: true }).selectOption({ label: 'Weekly' });
    await form.getByRole('radio', { name: 'Deep' }).check();
    await form.getByLabel('Share to read').fill('25');
    await form.getByText('Weekly, deep (25% read each time), after a scheduled backup').waitFor();
    await form.getByRole('list', { name: /^Next runs/ }).waitFor({ timeout: 10_000 });
    // Typing scrolled the page; the full-page shot reads best from the top.
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('66-plan-verification');
    await expectAccessible(page, 'plan editor with verification');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    await expect(host.call('plans.get', { destination: 'nas' })).resolves.toMatchObject({
      verify: { every: 'weekly', deep: true, samplePercent: 25 },
    });

    await nav('Dashboard').click();
    await expect
      .poll(() => verification('nas').textContent())
      .toBe('Never verifiedWeekly, deep (25% read each time), after a scheduled backup');
  });

  it('shows a deep check’s progress on the card and in the banner, and its Cancel stops it', async () => {
    // Enough stored versions that a deep check takes several seconds on a local disk.
    const bulk = join(work, 'bulk');
    for (let d = 0; d < 40; d++) {
      await mkdir(join(bulk, `d${d}`), { recursive: true });
      for (let f = 0; f < 100; f++) await writeFile(join(bulk, `d${d}`, `f${f}.bin`), bytes(20_000, d * 100 + f));
    }
    await host.call('sources.add', { name: 'bulk', path: bulk });
    await host.call('destinations.add', {
      name: 'big-disk',
      settings: { kind: 'local', path: join(work, 'big-disk') },
    });
    await host.call('policies.select', { source: 'bulk', path: '', destination: 'big-disk', include: true });
    await host.call('runs.start', { destinations: ['big-disk'] });
    await idle();

    await nav('Dashboard').click();
    await card('big-disk').getByRole('button', { name: 'Verify…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Verify big-disk' });
    await dialog.getByRole('radio', { name: 'Deep' }).check();
    await expect(dialog.getByLabel('Share to read').inputValue()).resolves.toBe('100');
    await shot('68-verify-dialog-deep', false);
    await dialog.getByRole('button', { name: 'Start' }).click();

    const banner = page.getByRole('region', { name: 'Verification in progress' });
    await card('big-disk')
      .getByText(/^Verifying: [1-9][\d,]* of 4,000 stored versions checked$/)
      .waitFor();
    await expect(banner.getByText('Verifying big-disk…').isVisible()).resolves.toBe(true);
    await expect(card('big-disk').getByText('Verifying', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(card('usb-disk').getByRole('button', { name: 'Verify…' }).isDisabled()).resolves.toBe(true);
    await shot('69-verify-running');
    // At once: the check takes seconds only, and must still be running to be cancelled.
    await banner.getByRole('button', { name: 'Cancel' }).click();
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    await idle();
    await expectAccessible(page, 'dashboard after a cancelled check');
    // A cancelled check proves nothing: the card does not claim one.
    await expect(verification('big-disk').textContent()).resolves.toMatch(/^Never verified/);
    const [latest] = await host.call<{ status: string }[]>('verify.reports', { destination: 'big-disk', limit: 1 });
    expect(latest?.status).toBe('cancelled');
  });
});
