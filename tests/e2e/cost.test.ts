/**
 * Cost estimates in the UI, end to end: Chromium (Debian's, through playwright-core) against
 * `strata serve` with a real engine, a folder of real files, a bucket on s3rver (provider 'other':
 * the self-hosted price row) and a local disk. A person prices their self-hosted store in
 * Settings (a wrong entry first), backs up, reads the monthly cost on the dashboard (checked
 * against the stored bytes the host reports and the files written), opens its breakdown by hover
 * and by keyboard, counts the bucket, and resets the price back to free. Screenshots go to
 * test-output/e2e/ (7x-…).
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CostOverview, PriceTable } from '../../shared/api/cost.js';
import { formatMonthly } from '../../renderer/src/cost/money.js';
import { expectAccessible } from '../support/axe.js';
import { launchChromium, haveChromium, SHOTS } from '../support/chromium.js';
import { startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { startServe, type ServedHost } from '../support/serve-host.js';
import { bytes } from '../support/tree.js';

const HAVE_CHROMIUM = haveChromium('Cost');

/** What a small rented server's disk costs, per GB-month: enough for a few MB to show in cents. */
const VPS_PRICE = 0.5;
/** Self-hosted servers are priced in decimal GB, the unit the app shows sizes in. */
const GB = 1e9;
const FILES: [string, number][] = [
  ['docs/plan.txt', 9],
  ['photos/lake.jpg', 300_000],
  ['photos/beach.png', 200_000],
  ['video/trip.bin', 24_000_000],
];
/** Added before the second backup. */
const NEW_PHOTO = 1_000_000;
const WRITTEN = FILES.reduce((n, [, size]) => n + size, 0) + NEW_PHOTO;

describe.skipIf(!HAVE_CHROMIUM)('cost estimates in Chromium against strata serve', () => {
  let work: string;
  let s3: S3rverHarness;
  let host: ServedHost;
  let browser: Browser;
  let page: Page;

  const shot = (name: string, fullPage = true) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });
  const card = (name: string) => page.getByRole('region', { name: `Destination ${name}` });
  const costButton = (name: string) => card(name).getByRole('button', { name: /cost breakdown$/ });
  const breakdown = (name: string) => page.getByRole('group', { name: `Cost breakdown of ${name}` });
  const prices = () => page.getByRole('region', { name: 'Prices' });
  const totalPanel = () => page.getByRole('region', { name: 'Estimated monthly cost' });

  /** Clicks into a field, selects what is there and types over it, the way a person does; then Enter or Tab. */
  async function typeInto(input: Locator, text: string, then: 'Enter' | 'Tab'): Promise<void> {
    await input.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(text);
    await page.keyboard.press(then);
  }

  /** Settings, Prices, the self-hosted row picked in the row list. */
  async function openSelfHostedPrices(): Promise<Locator> {
    await nav('Settings').click();
    const section = prices();
    const select = section.getByLabel('Price row');
    await select.waitFor();
    const option = await select.locator('option', { hasText: 'Self-hosted' }).getAttribute('value');
    await select.selectOption(option!);
    const row = section.getByRole('group', { name: /^Self-hosted S3/ });
    await row.waitFor();
    return row;
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    work = await mkdtemp(join(tmpdir(), 'strata-e2e-cost-'));
    const src = join(work, 'projects');
    for (const [path, size] of FILES) {
      await mkdir(join(src, path, '..'), { recursive: true });
      await writeFile(join(src, path), path.endsWith('.txt') ? 'the plan\n' : bytes(size, size));
    }
    s3 = await startS3rver(['vps']);
    host = await startServe(join(work, 'home'), { HOME: work });
    // Set up through the API: onboarding and the destination editor have their own tests.
    await host.call('sources.add', { name: 'projects', path: src });
    await host.call('destinations.add', { name: 'vps', settings: { ...s3.config('vps'), secretAccessKey: 'S3RVER' } });
    await host.call('destinations.add', { name: 'usb-disk', settings: { kind: 'local', path: join(work, 'usb') } });
    for (const destination of ['vps', 'usb-disk']) {
      await host.call('policies.select', { source: 'projects', path: '', destination, include: true });
    }
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await page.goto(host.url);
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await s3?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('prices the self-hosted store in Settings, refusing what is not a price', async () => {
    const row = await openSelfHostedPrices();
    const storage = row.getByLabel('Storage', { exact: true });
    await expect(storage.inputValue()).resolves.toBe('0');
    await expect(row.getByText('Changed', { exact: true }).count()).resolves.toBe(0);

    await typeInto(storage, '-1', 'Tab');
    await row.getByText('Give 0 or more: prices cannot be negative').waitFor();
    await expect(storage.getAttribute('aria-invalid')).resolves.toBe('true');
    await typeInto(storage, 'cheap', 'Enter');
    await row.getByText('Give a number, like 0.023').waitFor();
    let table = await host.call<PriceTable>('cost.prices');
    expect(table.rows.find((r) => r.id === 'self-hosted')?.overridden).toEqual([]);

    await typeInto(storage, String(VPS_PRICE), 'Enter');
    await row.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await expect(storage.getAttribute('aria-invalid')).resolves.toBeNull();
    await row.getByText('Changed', { exact: true }).waitFor();
    await expect(row.getByRole('button', { name: /^Reset Storage to the table’s \$0$/ }).isVisible()).resolves.toBe(
      true,
    );
    table = await host.call<PriceTable>('cost.prices');
    const selfHosted = table.rows.find((r) => r.id === 'self-hosted')!;
    expect(selfHosted.overridden).toEqual(['storagePerGbMonth']);
    expect(selfHosted.values.storagePerGbMonth).toBe(VPS_PRICE);
    expect(selfHosted.defaults.storagePerGbMonth).toBe(0);
    // The row list says which rows carry the user's figures.
    await expect(prices().getByLabel('Price row').locator('option:checked').textContent()).resolves.toMatch(
      /\$0\.5\/GB-month \(changed\)$/,
    );
    await expect(
      prices()
        .getByText(/^Changed by you: Self-hosted S3 .*\(storage\)$/)
        .isVisible(),
    ).resolves.toBe(true);
    // Typing scrolled the page; the full-page shot reads best from the top.
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('72-settings-prices');
    await expectAccessible(page, 'settings prices');

    // A provider row: its source page opens outside, with the date it was read.
    const select = prices().getByLabel('Price row');
    await select.selectOption('b2');
    const b2 = prices().getByRole('group', { name: 'Backblaze B2' });
    const link = b2.getByRole('link', { name: /^Price page/ });
    await expect(link.getAttribute('target')).resolves.toBe('_blank');
    await expect(link.getAttribute('href')).resolves.toMatch(/^https:\/\//);
    await expect(b2.textContent()).resolves.toMatch(/as of \d{4}-\d\d-\d\d/);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('73-settings-prices-b2');
  });

  it('backs up and shows each destination’s monthly cost and the total on the dashboard', async () => {
    await nav('Dashboard').click();
    // Twice, a new photo between: the second run is the monthly traffic the estimate extrapolates.
    for (const runs of [1, 2]) {
      if (runs === 2) await writeFile(join(work, 'projects', 'photos', 'new.jpg'), bytes(NEW_PHOTO, 7));
      await expect.poll(() => page.getByRole('button', { name: 'Back up now' }).first().isEnabled()).toBe(true);
      await page.getByRole('button', { name: 'Back up now' }).first().click();
      for (const name of ['vps', 'usb-disk']) {
        await expect
          .poll(() => card(name).textContent(), { timeout: 120_000 })
          .toMatch(new RegExp(`${runs} of ${runs} recent runs? succeeded`));
      }
      await page.getByRole('region', { name: 'Backup in progress' }).waitFor({ state: 'detached', timeout: 60_000 });
    }

    const overview = await host.call<CostOverview>('cost.get');
    const vps = overview.destinations.find((d) => d.destination === 'vps')!;
    const usb = overview.destinations.find((d) => d.destination === 'usb-disk')!;
    // What the host says is stored is what was written (plus the repository's own small files).
    expect(vps.usage.bytes).toBeGreaterThanOrEqual(WRITTEN);
    expect(vps.usage.bytes).toBeLessThan(WRITTEN * 1.05 + 200_000);
    expect(vps.usage.objects).toBeGreaterThanOrEqual(FILES.length + 1);
    expect(vps.activity.uploadBytes).toBeGreaterThanOrEqual(NEW_PHOTO);
    expect(vps.monthly.priceId).toBe('self-hosted');
    // Storage: the stored bytes at the price typed in Settings; nothing else costs on a self-hosted store.
    const storage = vps.monthly.lines.find((l) => l.kind === 'storage');
    expect(storage?.amount).toBeCloseTo((vps.usage.bytes / GB) * VPS_PRICE, 9);
    expect(vps.monthly.total).toBeCloseTo((vps.usage.bytes / GB) * VPS_PRICE, 9);
    expect(vps.monthly.total).toBeCloseTo((WRITTEN / GB) * VPS_PRICE, 3);
    expect(usb.monthly.total).toBe(0);
    expect(overview.total).toBeCloseTo(vps.monthly.total, 9);

    const vpsText = `≈ ${formatMonthly(vps.monthly.total)}`;
    expect(vpsText).toMatch(/^≈ \$0\.01\/month$/);
    await expect.poll(() => costButton('vps').textContent()).toBe(`${vpsText}, cost breakdown`);
    await expect(costButton('usb-disk').textContent()).resolves.toBe('Free, cost breakdown');
    const total = totalPanel();
    await expect(total.getByText(formatMonthly(overview.total), { exact: true }).first().isVisible()).resolves.toBe(
      true,
    );
    const perDestination = total.getByRole('list', { name: 'Per destination' }).getByRole('listitem');
    await expect(perDestination.allTextContents().then((t) => t.sort())).resolves.toEqual([
      'usb-diskFree',
      `vps${vpsText.slice(2)}`,
    ]);
    await expect(total.textContent()).resolves.toContain(
      `Prices as of ${overview.tableDate}, change them in Settings.`,
    );
    const chart = total.getByRole('img', { name: /^Stored data and estimated cost by month, all destinations\./ });
    await expect(chart.isVisible()).resolves.toBe(true);
    const month = vps.history.at(-1)?.month;
    expect(month).toMatch(/^\d{4}-\d\d$/);
    await shot('70-dashboard-cost');
    await expectAccessible(page, 'dashboard with costs');
  });

  it('opens the breakdown on hover and on keyboard focus, and counts the bucket', async () => {
    const button = costButton('vps');
    const popover = breakdown('vps');
    await expect(popover.isVisible()).resolves.toBe(false);

    await button.hover();
    await popover.waitFor();
    await expect(button.getAttribute('aria-expanded')).resolves.toBe('true');
    const overview = await host.call<CostOverview>('cost.get');
    const vps = overview.destinations.find((d) => d.destination === 'vps')!;
    const text = (await popover.textContent()) ?? '';
    expect(text).toContain(`${vps.monthly.priceName} · prices as of ${overview.tableDate}`);
    for (const line of vps.monthly.lines) expect(text).toContain(line.label);
    expect(text).toMatch(/Total per month\$0\.01/);
    expect(text).toMatch(/in [\d,]+ objects, (counted|estimated from runs)/);
    expect(text).toMatch(/Each month.*uploaded/);
    await shot('71-cost-breakdown', false);
    await expectAccessible(page, 'cost breakdown (hover)');
    // Away with the pointer: it closes.
    await page.mouse.move(5, 890);
    await popover.waitFor({ state: 'hidden' });

    // The keyboard: from the card's title, Tab until the cost button has focus.
    await card('vps').getByRole('heading', { name: 'vps' }).click();
    for (let i = 0; i < 10 && !(await button.evaluate((b) => b === document.activeElement)); i++) {
      await page.keyboard.press('Tab');
    }
    await expect(button.evaluate((b) => b === document.activeElement)).resolves.toBe(true);
    await popover.waitFor();
    // Escape closes it and leaves focus on the button.
    await page.keyboard.press('Escape');
    await popover.waitFor({ state: 'hidden' });
    await expect(button.evaluate((b) => b === document.activeElement)).resolves.toBe(true);
    // Into it with Tab: Count now is reachable, and counting keeps it open.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    await popover.waitFor();
    await page.keyboard.press('Tab');
    const count = popover.getByRole('button', { name: /^(Count now|Counting…)$/ });
    await expect(count.evaluate((b) => b === document.activeElement)).resolves.toBe(true);
    await page.keyboard.press('Enter');
    await popover.getByText(/, counted just now$/).waitFor({ timeout: 60_000 });
    await expect(popover.isVisible()).resolves.toBe(true);
    await expect(popover.getByRole('button', { name: 'Count now' }).isVisible()).resolves.toBe(true);
    const counted = (await host.call<CostOverview>('cost.get', { destination: 'vps' })).destinations[0]!;
    expect(counted.usage.measured).toBe(true);
    expect(counted.usage.bytes).toBeGreaterThanOrEqual(WRITTEN);
    expect(counted.usage.objects).toBeGreaterThanOrEqual(FILES.length + 1);
    await shot('74-cost-counted', false);
    await expectAccessible(page, 'cost breakdown (counted)');

    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('75-cost-breakdown-dark', false);
    await expectAccessible(page, 'cost breakdown (dark)');
    await page.keyboard.press('Escape');
    await popover.waitFor({ state: 'hidden' });
    await shot('76-dashboard-cost-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('resets the self-hosted price in Settings, and the dashboard says Free again', async () => {
    const row = await openSelfHostedPrices();
    await row.getByRole('button', { name: /^Reset Storage/ }).click();
    await row.getByRole('status').filter({ hasText: 'Table’s figure restored' }).waitFor();
    await expect(row.getByLabel('Storage', { exact: true }).inputValue()).resolves.toBe('0');
    await expect(row.getByText('Changed', { exact: true }).count()).resolves.toBe(0);
    // Focus stays in the form (the Reset button is gone).
    await expect(
      row.getByLabel('Storage', { exact: true }).evaluate((i) => i === document.activeElement),
    ).resolves.toBe(true);
    const table = await host.call<PriceTable>('cost.prices');
    expect(table.rows.find((r) => r.id === 'self-hosted')?.overridden).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('77-settings-prices-reset');

    await nav('Dashboard').click();
    await expect.poll(() => costButton('vps').textContent()).toBe('Free, cost breakdown');
    await expect(totalPanel().getByText('Free', { exact: true }).first().isVisible()).resolves.toBe(true);
    const overview = await host.call<CostOverview>('cost.get');
    expect(overview.total).toBe(0);
    await shot('78-dashboard-free');
  });

  it('draws a year of history: a bar per month with its cost, summarised for screen readers', async () => {
    // The host has one month of history on a fresh install: its answer is stretched to a year here.
    const real = await host.call<CostOverview>('cost.get');
    const last = real.destinations[0]!.history.at(-1)!.month;
    const months = Array.from({ length: 12 }, (_, i) => {
      const d = new Date(Date.UTC(Number(last.slice(0, 4)), Number(last.slice(5)) - 12 + i, 1));
      return d.toISOString().slice(0, 7);
    });
    await page.route('**/api/call/cost.get', async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { ok: boolean; result: CostOverview };
      for (const d of body.result.destinations) {
        const price = d.destination === 'vps' ? 0.02 : 0;
        d.history = months.map((month, i) => {
          const stored = (i + 1) * 2_100_000_000;
          return { month, bytes: stored, cost: (stored / 1024 ** 3) * price };
        });
        d.monthly.total = d.history.at(-1)!.cost;
      }
      body.result.total = body.result.destinations.reduce((n, d) => n + d.monthly.total, 0);
      await route.fulfill({ response, json: body });
    });
    await nav('Settings').click();
    await nav('Dashboard').click();
    const chart = totalPanel().getByRole('img', {
      name: /^Stored data and estimated cost by month, all destinations\./,
    });
    await expect
      .poll(() => chart.getAttribute('aria-label'))
      .toMatch(
        /From \w{3} \d{4} to \w{3} \d{4}, stored data went from 4\.2 GB to 50 GB and the monthly estimate from \$0\.04 to \$0\.47\.$/,
      );
    const table = totalPanel().getByRole('table', { name: /month by month$/ });
    await expect(table.getByRole('row').count()).resolves.toBe(13);
    // One destination alone.
    await totalPanel().getByLabel('Chart of').selectOption('vps');
    await expect
      .poll(() => totalPanel().getByRole('img').getAttribute('aria-label'))
      .toMatch(/^Stored data and estimated cost by month, vps\. From .* from 2\.1 GB to 25 GB/);
    await totalPanel().getByLabel('Chart of').selectOption({ label: 'All destinations' });
    await totalPanel().scrollIntoViewIfNeeded();
    await totalPanel().screenshot({ path: join(SHOTS, '79-cost-chart-year.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await totalPanel().screenshot({ path: join(SHOTS, '79-cost-chart-year-dark.png') });
    await expectAccessible(page, 'dashboard with a year of costs (dark)');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.unroute('**/api/call/cost.get');
  });
});
