/**
 * Schedules, retention, prune and health in the UI, end to end: Chromium (Debian's, through
 * playwright-core) against `strata serve` with a real engine and local folder destinations. A
 * destination's plan is edited with its live preview, shows on the dashboard, prunes what its
 * policy no longer keeps (Activity records it), and a destination that keeps failing raises an
 * alert. Screenshots go to test-output/e2e/ (20-…) for a human to look at.
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe.js';
import { launchChromium, haveChromium, SHOTS } from '../support/chromium.js';
import { startServe, type ServedHost } from '../support/serve-host.js';
import { bytes } from '../support/tree.js';

const HAVE_CHROMIUM = haveChromium('Plans');
const GFS = 'Daily for a week, weekly for a month, monthly for a year';

describe.skipIf(!HAVE_CHROMIUM)('schedules, retention, prune and alerts in Chromium against strata serve', () => {
  let work: string;
  let src: string;
  let host: ServedHost;
  let browser: Browser;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });
  const card = (name: string) => page.getByRole('region', { name: `Destination ${name}` });
  const planForm = (name: string) => page.getByRole('form', { name: `Schedule and retention of ${name}` });

  /** Presses a "Back up now" and waits until the card counts one more recent run. */
  async function backUp(button: Locator, name: string, runsBefore: number): Promise<void> {
    await expect.poll(() => button.isEnabled(), { timeout: 30_000 }).toBe(true);
    await button.click();
    await expect
      .poll(() => card(name).textContent(), { timeout: 60_000 })
      .toMatch(new RegExp(`of ${runsBefore + 1} recent runs? succeeded`));
    // The run banner goes once the run is over (the next press would be refused meanwhile).
    await page.getByRole('region', { name: 'Backup in progress' }).waitFor({ state: 'detached', timeout: 60_000 });
  }

  async function openPlan(name: string): Promise<Locator> {
    await nav('Destinations').click();
    await page.getByRole('button', { name: `Schedule & retention of ${name}` }).click();
    const form = planForm(name);
    await form.waitFor();
    return form;
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    work = await mkdtemp(join(tmpdir(), 'strata-e2e-plans-'));
    src = join(work, 'projects');
    await mkdir(join(src, 'docs'), { recursive: true });
    await mkdir(join(src, 'photos'), { recursive: true });
    await writeFile(join(src, 'docs', 'plan.txt'), 'the plan\n');
    await writeFile(join(src, 'photos', 'lake.jpg'), bytes(300_000, 1));
    host = await startServe(join(work, 'home'), { HOME: work });
    // The source and the first destination through the API: onboarding has its own test (ui.test.ts).
    await host.call('sources.add', { name: 'projects', path: src });
    await host.call('destinations.add', { name: 'usb-disk', settings: { kind: 'local', path: join(work, 'usb') } });
    await host.call('policies.select', { source: 'projects', path: '', destination: 'usb-disk', include: true });
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

  it('edits a schedule and retention with a live preview, and shows the plan on the dashboard', async () => {
    const form = await openPlan('usb-disk');
    await expect(form.getByText('Runs only when you press Back up now.').isVisible()).resolves.toBe(true);
    await form.getByLabel('How often').selectOption({ label: 'Every day' });
    await form.getByLabel('Time', { exact: true }).fill('02:30');
    await form.getByRole('radio', { name: GFS }).check();

    const next = form.getByRole('list', { name: /^Next runs \(.+ time\)$/ });
    await expect.poll(() => next.getByRole('listitem').allTextContents(), { timeout: 10_000 }).toHaveLength(3);
    for (const run of await next.getByRole('listitem').allTextContents()) expect(run).toMatch(/02:30$/);
    await expect(form.getByText('Keeps 7 daily, 4 weekly, 12 monthly', { exact: true }).isVisible()).resolves.toBe(
      true,
    );
    await expect
      .poll(() => form.getByRole('status').textContent())
      .toBe('Every day at 02:30, keeps 7 daily, 4 weekly, 12 monthly');

    // A malformed cron: the host's message and hint at the field, Save disabled; back to daily.
    await form.getByLabel('How often').selectOption({ label: 'Cron expression' });
    await form.getByLabel('Cron expression').fill('30 2 * *');
    await form.getByText(/Malformed cron expression '30 2 \* \*'/).waitFor({ timeout: 10_000 });
    await expect(form.getByText(/e\.g\. "30 2 \* \* \*" for every day at 02:30/).isVisible()).resolves.toBe(true);
    await expect(form.getByRole('button', { name: 'Save' }).isDisabled()).resolves.toBe(true);
    await shot('20-plan-cron-error');
    await form.getByLabel('How often').selectOption({ label: 'Every day' });
    await next.getByRole('listitem').first().waitFor({ timeout: 10_000 });
    await shot('21-plan-editor');
    await expectAccessible(page, 'plan editor');

    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    const row = page.getByRole('listitem', { name: 'usb-disk' });
    await row.getByText('Every day at 02:30, keeps 7 daily, 4 weekly, 12 monthly').waitFor();
    await expect(host.call('plans.get', { destination: 'usb-disk' })).resolves.toMatchObject({
      schedule: { kind: 'daily', time: '02:30' },
      retention: { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 },
      staleAfterHours: 48,
    });
    await shot('22-destinations-plan');
    await expectAccessible(page, 'destinations with plans');

    await nav('Dashboard').click();
    const usb = card('usb-disk');
    await usb.getByText('Every day at 02:30').waitFor();
    await expect(usb.textContent()).resolves.toMatch(/Next: (today|tomorrow) 02:30/);
    await expect(usb.getByText('Keeps 7 daily, 4 weekly, 12 monthly').isVisible()).resolves.toBe(true);
  });

  it('backs up a few times, previews a prune with a keep-last-1 policy, prunes, and Activity shows it', async () => {
    await nav('Dashboard').click();
    for (let i = 0; i < 3; i++) {
      await writeFile(join(src, 'docs', `day-${i}.txt`), `change ${i}\n`);
      await backUp(page.getByRole('button', { name: 'Back up now' }).first(), 'usb-disk', i);
    }
    await expect(card('usb-disk').textContent()).resolves.toMatch(/3 of 3 recent runs succeeded/);

    const form = await openPlan('usb-disk');
    await form.getByRole('radio', { name: 'Custom' }).check();
    // Custom starts from the preset chosen before: clear it down to the latest snapshot only.
    await expect(form.getByLabel('Keep daily').inputValue()).resolves.toBe('7');
    for (const label of ['Keep daily', 'Keep weekly', 'Keep monthly']) await form.getByLabel(label).fill('');
    await form.getByLabel('Keep last').fill('1');
    await expect.poll(() => form.getByRole('status').textContent()).toBe('Every day at 02:30, keeps the latest');
    await shot('23-plan-custom-retention');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Prune usb-disk now…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Prune usb-disk now?' });
    await dialog.getByText(/Removes 2 of 3 snapshots and frees about/).waitFor({ timeout: 30_000 });
    const rows = dialog.getByRole('table', { name: 'Snapshots on usb-disk' }).getByRole('row');
    await expect(rows.count()).resolves.toBe(4);
    await expect(rows.nth(1).textContent()).resolves.toMatch(/Keep.*last snapshot/);
    await expect(rows.nth(2).textContent()).resolves.toMatch(/Remove/);
    await shot('24-prune-preview');
    await expectAccessible(page, 'prune preview');

    await dialog.getByRole('button', { name: 'Remove 2 snapshots' }).click();
    await dialog.getByText(/Done: removed 2 snapshots/).waitFor({ timeout: 60_000 });
    await shot('25-prune-done');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    const left = await host.call<unknown[]>('snapshots.list', { destination: 'usb-disk' });
    expect(left).toHaveLength(1);

    await nav('Activity').click();
    const newest = page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first();
    await newest.getByText('Prune (retention)').waitFor();
    await expect(newest.getByText('OK').first().isVisible()).resolves.toBe(true);
    await newest.getByRole('button', { name: 'Show log' }).click();
    await expect
      .poll(() => page.getByRole('list', { name: /^Log of run/ }).textContent(), { timeout: 10_000 })
      .toMatch(/prune usb-disk: Keeps the latest; 2 snapshot\(s\) to remove/);
    await shot('26-activity-prune');
  });

  it('raises an alert when a destination fails three backups in a row, and shows the copies', async () => {
    // A second destination whose folder becomes a plain file: every write to it fails, root or not.
    const broken = join(work, 'nas');
    await host.call('destinations.add', { name: 'nas', settings: { kind: 'local', path: broken } });
    await host.call('policies.select', { source: 'projects', path: 'docs', destination: 'nas', include: true });
    await rm(broken, { recursive: true, force: true });
    await writeFile(broken, 'not a folder\n');

    await nav('Dashboard').click();
    const nas = card('nas');
    await nas.waitFor();
    for (let i = 0; i < 3; i++) {
      await expect.poll(() => nas.getByRole('button', { name: 'Back up now' }).isEnabled()).toBe(true);
      await nas.getByRole('button', { name: 'Back up now' }).click();
      await expect
        .poll(() => nas.textContent(), { timeout: 60_000 })
        .toMatch(new RegExp(`0 of ${i + 1} recent runs? succeeded`));
      await page.getByRole('region', { name: 'Backup in progress' }).waitFor({ state: 'detached', timeout: 60_000 });
    }
    const alerts = page.getByRole('region', { name: 'Alerts' });
    await alerts.waitFor({ timeout: 30_000 });
    await expect(alerts.textContent()).resolves.toMatch(/nas.*3 backups in a row failed/);
    await expect(nas.getByText('1 alert').isVisible()).resolves.toBe(true);
    await expect(nas.getByText('3 failed in a row').isVisible()).resolves.toBe(true);

    // 3-2-1: docs is meant for both but only usb-disk holds a current copy.
    const copies = page.getByRole('region', { name: 'Copies' });
    const docs = copies.getByRole('row', { name: /^projects\/docs/ });
    await expect(docs.textContent()).resolves.toMatch(/Only one current copy/);
    await expect(docs.textContent()).resolves.toMatch(/nas/);
    await shot('27-dashboard-alert');
    await expectAccessible(page, 'dashboard with an alert');
  });

  it('pauses and resumes the schedules from the dashboard', async () => {
    await nav('Dashboard').click();
    await page.getByRole('button', { name: 'Pause schedules' }).click();
    await page.getByRole('button', { name: 'Resume schedules' }).waitFor();
    await page.getByText(/Schedules are paused:/).waitFor();
    await expect(card('usb-disk').getByText('Paused', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(host.call('settings.get')).resolves.toMatchObject({ schedulesPaused: true });
    await expect(host.call('plans.get', { destination: 'usb-disk' })).resolves.toMatchObject({ nextRuns: [] });
    await shot('28-dashboard-paused');
    await expectAccessible(page, 'dashboard paused');

    await page.getByRole('button', { name: 'Resume schedules' }).click();
    await page.getByRole('button', { name: 'Pause schedules' }).waitFor();
    await expect.poll(() => card('usb-disk').textContent()).toMatch(/Next: (today|tomorrow) 02:30/);
    await expect(host.call('settings.get')).resolves.toMatchObject({ schedulesPaused: false });
  });

  it('saves a webhook in Settings without ever showing it again, then removes it', async () => {
    await nav('Settings').click();
    const notifications = page.getByRole('group', { name: 'Notifications' });
    await notifications.getByLabel('Webhook URL').fill('https://hc-ping.invalid/5e1f');
    await notifications.getByRole('radio', { name: 'Healthchecks' }).check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await notifications.getByText('A webhook is saved').waitFor();
    await expect(notifications.getByLabel('Webhook URL').inputValue()).resolves.toBe('');
    await expect(page.content()).resolves.not.toContain('hc-ping.invalid');
    await expect(host.call('settings.get')).resolves.toMatchObject({
      webhookConfigured: true,
      webhookStyle: 'healthchecks',
    });
    await shot('29-settings-notifications');
    await expectAccessible(page, 'settings with notifications');
    await notifications.getByRole('button', { name: 'Remove webhook' }).click();
    await notifications.getByText('A webhook is saved').waitFor({ state: 'detached' });
    await expect(host.call('settings.get')).resolves.toMatchObject({ webhookConfigured: false });
  });

  it('reads well in the dark theme', async () => {
    await nav('Settings').click();
    await page.getByRole('radio', { name: 'Dark' }).check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await nav('Dashboard').click();
    await page.getByRole('region', { name: 'Alerts' }).waitFor();
    await shot('30-dashboard-dark');
    await expectAccessible(page, 'dashboard (dark)');
    const form = await openPlan('usb-disk');
    await form.getByRole('list', { name: /^Next runs/ }).waitFor({ timeout: 10_000 });
    await form.getByRole('radio', { name: 'Custom' }).check();
    await shot('31-plan-editor-dark');
    await expectAccessible(page, 'plan editor (dark)');
    await form.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Prune usb-disk now…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Prune usb-disk now?' });
    await dialog.getByText(/Nothing to remove|Removes/).waitFor({ timeout: 30_000 });
    await shot('32-prune-preview-dark');
    await expectAccessible(page, 'prune preview (dark)');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });
});
