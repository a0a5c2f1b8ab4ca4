/**
 * Cost estimates where decisions are made, end to end the way a person meets them: Chromium
 * (Debian's, through playwright-core) against `strata serve` with a real engine, a folder of files
 * of known sizes, a local disk and an S3 bucket on s3rver (provider "other", priced by the
 * self-hosted row once its prices are set, as for a rented server). Ticking a folder shows what it
 * adds and costs before saving, ticking it back takes the change away, leaving asks to save; the
 * destination editor compares every provider for the data; the restore summary says what the
 * restore costs. Screenshots go to test-output/e2e/ (80-…).
 */
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, formatMonthly } from '../../renderer/src/cost/money.js';
import { formatBytes, formatCount } from '../../renderer/src/format.js';
import { signedMonthly } from '../../renderer/src/tree/whatif-text.js';
import type { CostComparison, CostOverview, WhatIfResult } from '../../shared/api/cost.js';
import type { RestorePreview } from '../../shared/api/entities.js';
import { expectAccessible } from '../support/axe.js';
import { launchChromium, haveChromium, SHOTS } from '../support/chromium.js';
import { startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { waitForRunOk } from '../support/host-runs.js';
import { startServe, type ServedHost } from '../support/serve-host.js';
import { bytes } from '../support/tree.js';

const HAVE_CHROMIUM = haveChromium('Cost decisions');

/** The files below media/, the folder ticked for the bucket: 55 MB in three files. */
const MEDIA: [string, number][] = [
  ['media/clip-a.bin', 30_000_000],
  ['media/clip-b.bin', 20_000_000],
  ['media/stills/frame.png', 5_000_000],
];

describe.skipIf(!HAVE_CHROMIUM)('cost estimates in the tree, the destination editor and the restore wizard', () => {
  let work: string;
  let src: string;
  let s3: S3rverHarness;
  let host: ServedHost;
  let browser: Browser;
  let page: Page;
  /** What the what-if said the tick adds per month, to compare with the estimate after the backup. */
  let promised = 0;
  let costBefore = 0;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });
  const tree = () => page.getByRole('treegrid', { name: 'Folders of projects' });
  const row = (path: string) => tree().locator(`[role="row"][data-path="${path}"]`);
  const box = (path: string, dest: string) =>
    row(path).getByRole('checkbox', { name: `Back up /${path} to ${dest}`, exact: true });
  const badge = (path: string, dest: string) => row(path).locator(`[role="img"][aria-label^="${dest}: "]`);
  const bar = () => page.getByRole('region', { name: 'Unsaved changes' });
  const step = (title: RegExp) => page.getByRole('heading', { level: 2, name: title });
  const next = () => page.getByRole('button', { name: 'Next', exact: true }).click();

  async function monthly(destination: string): Promise<number> {
    const o = await host.call<CostOverview>('cost.get', { destination });
    return o.destinations.find((d) => d.destination === destination)!.monthly.total;
  }

  /** Waits for the first run after `after` to end, which must be ok. */
  async function waitForRun(after: number): Promise<void> {
    await waitForRunOk(
      (m, i) => host.call(m, i),
      (runs) => runs.find((r) => r.id > after),
      120_000,
    );
  }

  async function lastRunId(): Promise<number> {
    const runs = await host.call<{ id: number }[]>('runs.list', { limit: 1 });
    return runs[0]?.id ?? 0;
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    work = await mkdtemp(join(tmpdir(), 'strata-e2e-cost-'));
    src = join(work, 'projects');
    await mkdir(join(src, 'media', 'stills'), { recursive: true });
    await mkdir(join(src, 'docs'), { recursive: true });
    for (const [i, [path, size]] of MEDIA.entries()) await writeFile(join(src, path), bytes(size, i + 1));
    await writeFile(join(src, 'docs', 'report.pdf'), bytes(1_200_000, 7));
    await writeFile(join(src, 'docs', 'plan.txt'), 'the plan\n');
    await writeFile(join(src, 'readme.txt'), 'top level\n');

    s3 = await startS3rver(['offsite']);
    host = await startServe(join(work, 'home'), { HOME: work });
    await host.call('sources.add', { name: 'projects', path: src });
    await host.call('destinations.add', { name: 'usb-disk', settings: { kind: 'local', path: join(work, 'usb') } });
    await host.call('destinations.add', {
      name: 'offsite',
      settings: { ...s3.config('offsite'), secretAccessKey: 'S3RVER' },
    });
    // Everything to the local disk, backed up once; nothing to the bucket yet.
    await host.call('policies.select', { source: 'projects', path: '', destination: 'usb-disk', include: true });
    const before = await lastRunId();
    await host.call('runs.start', {});
    await waitForRun(before);
    // A self-hosted server costs nothing until its prices are set (a rented VPS's storage, say).
    await host.call('cost.setPrice', { id: 'self-hosted', field: 'storagePerGbMonth', value: 0.02 });

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    await page.goto(host.url);
  }, 180_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await s3?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('shows what a tick adds and costs before saving, and drops it when ticked back', async () => {
    const mediaBytes = (await Promise.all(MEDIA.map(([p]) => stat(join(src, p))))).reduce((a, s) => a + s.size, 0);
    expect(mediaBytes).toBe(55_000_000);
    costBefore = await monthly('offsite');

    await nav('Sources').click();
    await row('media').waitFor({ timeout: 30_000 });
    await box('media', 'offsite').click();
    await expect.poll(() => box('media', 'offsite').isChecked()).toBe(true);
    // Staged, not saved: the row says so, and nothing reached the host.
    await expect(row('media').getAttribute('data-unsaved')).resolves.toBe('true');
    await expect.poll(() => box('', 'offsite').getAttribute('aria-checked')).toBe('mixed');
    await expect(row('readme.txt').getAttribute('data-unsaved')).resolves.toBeNull();
    const policies = await host.call<{ folder: string; destinations: Record<string, boolean> }[]>('policies.list', {
      source: 'projects',
    });
    expect(policies.map((p) => p.folder)).toEqual(['']);

    // The bar: the real bytes below media/, and the monthly change the engine works out.
    const asked = await host.call<WhatIfResult>('cost.whatIf', {
      source: 'projects',
      changes: [{ path: 'media', destination: 'offsite', include: true }],
    });
    const offsite = asked.destinations.find((d) => d.destination === 'offsite')!;
    expect(offsite).toMatchObject({ files: 3, bytes: mediaBytes, before: costBefore });
    promised = offsite.after - offsite.before;
    expect(promised).toBeGreaterThan(0);
    const effect = `+${formatBytes(mediaBytes)}, ${signedMonthly(promised)} on offsite`;
    expect(effect).toBe('+55 MB, +$0.001/month on offsite');
    await expect.poll(() => bar().textContent(), { timeout: 10_000 }).toContain(effect);
    await expect(bar().textContent()).resolves.toContain('1 unsaved change');

    // A second destination in the same bar: docs no longer to the local disk, which costs nothing.
    await box('docs', 'usb-disk').click();
    await expect.poll(() => bar().textContent(), { timeout: 10_000 }).toContain('−1.2 MB (free) on usb-disk');
    await expect(bar().textContent()).resolves.toContain(effect);
    await expect(bar().textContent()).resolves.toContain('2 unsaved changes');
    await page.getByRole('status', { name: 'Estimating the cost' }).waitFor({ state: 'detached' });
    await shot('80-tree-whatif');
    await expectAccessible(page, 'sources with unsaved ticks');

    // Ticking back is no change at all.
    await box('docs', 'usb-disk').click();
    await expect.poll(() => bar().textContent()).not.toContain('usb-disk');
    await expect(row('docs').getAttribute('data-unsaved')).resolves.toBeNull();
    await box('media', 'offsite').click();
    await bar().waitFor({ state: 'detached' });
    await expect(box('media', 'offsite').isChecked()).resolves.toBe(false);
    await expect(row('media').getAttribute('data-unsaved')).resolves.toBeNull();
  });

  it('asks to save before leaving, saves, backs up, and the estimate matches what the tick promised', async () => {
    await box('media', 'offsite').click();
    await expect.poll(() => bar().textContent(), { timeout: 10_000 }).toContain('+55 MB');
    // Leaving with the tick unsaved asks first; Stay keeps it.
    await nav('Dashboard').click();
    const dialog = page.getByRole('dialog', { name: 'Save your changes?' });
    await dialog.waitFor();
    await expect(dialog.textContent()).resolves.toContain('1 change to what projects sends where is not saved');
    await shot('81-leave-unsaved');
    await expectAccessible(page, 'leave with unsaved ticks');
    await dialog.getByRole('button', { name: 'Stay' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect(page.getByRole('heading', { name: 'Sources', level: 1 }).isVisible()).resolves.toBe(true);

    // Saving from the dialog goes on to where the user was going.
    await nav('Dashboard').click();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    const policies = await host.call<{ folder: string; destinations: Record<string, boolean> }[]>('policies.list', {
      source: 'projects',
    });
    expect(policies.map((p) => p.folder).sort()).toEqual(['', 'media']);
    // Saving alone stores nothing yet: the estimate follows what the bucket holds.
    expect(await monthly('offsite')).toBeCloseTo(costBefore, 9);

    const before = await lastRunId();
    await page.getByRole('button', { name: 'Back up now' }).first().click();
    await waitForRun(before);
    await page.getByRole('region', { name: 'Backup in progress' }).waitFor({ state: 'detached', timeout: 30_000 });
    // The bucket now holds the 55 MB (plus the repository's own small files): the estimate grew by what was promised.
    const grown = (await monthly('offsite')) - costBefore;
    expect(Math.abs(grown - promised) / promised).toBeLessThan(0.05);

    await nav('Sources').click();
    await expect
      .poll(() => badge('media', 'offsite').getAttribute('data-badge-state'), { timeout: 30_000 })
      .toBe('synced');
    await expect(badge('readme.txt', 'offsite').getAttribute('data-badge-state')).resolves.toBe('none');
    await expect(badge('docs', 'usb-disk').getAttribute('data-badge-state')).resolves.toBe('synced');
    await expect(bar().count()).resolves.toBe(0);
    await shot('82-tree-saved-synced');
  });

  it('compares every provider for what a destination stores, and for a new one as it is drafted', async () => {
    await nav('Destinations').click();
    await page.getByRole('button', { name: 'Edit offsite' }).click();
    const panel = page.getByRole('region', { name: 'What it would cost' });
    const table = panel.getByRole('table');
    await table.waitFor({ timeout: 15_000 });
    const compared = await host.call<CostComparison>('cost.compare', { destination: 'offsite', provider: 'other' });
    expect(compared.basis.bytes).toBeGreaterThanOrEqual(55_000_000);
    await expect(panel.textContent()).resolves.toContain(
      `For ${formatBytes(compared.basis.bytes)} in ${formatCount(compared.basis.objects)} objects: what offsite stores now.`,
    );
    // Every row, cheapest first; the destination's own row highlighted with its estimate.
    const rows = table.locator('tbody tr');
    await expect(rows.count()).resolves.toBe(compared.rows.length);
    const current = table.locator('tr[aria-current="true"]');
    await expect(current.getAttribute('data-price-id')).resolves.toBe('self-hosted');
    await expect(current.textContent()).resolves.toContain('This destination');
    const mine = compared.rows.find((r) => r.priceId === 'self-hosted')!;
    await expect(current.textContent()).resolves.toContain(formatMonthly(mine.monthly));
    const monthlies = compared.rows.map((r) => r.monthly);
    expect([...monthlies].sort((a, b) => a - b)).toEqual(monthlies);
    // Archive classes say what a restore costs besides the money.
    await expect(table.locator('tr[data-price-id="aws-deep-archive"]').textContent()).resolves.toMatch(/thaw/);
    await expect(table.getByText('Cheapest').count()).resolves.toBe(1);
    await shot('83-editor-comparison');
    await expectAccessible(page, 'destination editor with the comparison');
    await page.getByRole('button', { name: 'Cancel' }).click();

    // A new destination: priced on what the sources back up today; the draft's row follows the form.
    await page.getByRole('button', { name: 'Add destination' }).click();
    await page.getByLabel('Provider', { exact: true }).selectOption({ label: 'Backblaze B2' });
    await expect.poll(() => current.getAttribute('data-price-id'), { timeout: 10_000 }).toBe('b2');
    await expect(panel.textContent()).resolves.toContain('what your sources back up today');
    await expect(current.textContent()).resolves.toContain('Your choice');
    await page.getByLabel('Provider', { exact: true }).selectOption({ label: 'AWS S3' });
    await page.getByLabel('Storage class', { exact: true }).selectOption('STANDARD_IA');
    await expect.poll(() => current.getAttribute('data-price-id'), { timeout: 10_000 }).toBe('aws-standard-ia');
    await page.getByRole('status', { name: 'Pricing' }).waitFor({ state: 'detached' });
    await shot('84-editor-comparison-new');
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  /** Through the wizard's first four steps: the latest snapshot, every file, into `to`. */
  async function toSummary(destination: string, to: string): Promise<void> {
    await step(/^1\. Snapshot/).waitFor();
    await page.getByLabel('Restore from').selectOption(destination);
    await expect
      .poll(() => page.getByRole('group', { name: 'Snapshot' }).getByRole('radio').count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await next();
    await step(/^2\. Files/).waitFor();
    await next();
    await step(/^3\. Where to/).waitFor();
    await page.getByRole('radio', { name: /Another folder/ }).check();
    await page.getByLabel('Folder to restore into').fill(to);
    await next();
    await step(/^4\. Existing files/).waitFor();
    await next();
    await step(/^5\. Summary/).waitFor();
  }

  it('says what a restore costs in the summary, and Free from a local disk', async () => {
    // Metered egress on the rented server, so reading back costs something.
    await host.call('cost.setPrice', { id: 'self-hosted', field: 'egressPerGb', value: 0.09 });
    const to = join(work, 'restored');
    await nav('Restore').click();
    await toSummary('offsite', to);
    const summary = page.locator('.summary-list');
    await expect.poll(() => summary.textContent(), { timeout: 15_000 }).toMatch(/3 files/);

    const preview = await host.call<RestorePreview>('restore.preview', {
      destination: 'offsite',
      snapshot: 'latest',
      target: { kind: 'folder', path: to },
    });
    expect(preview.cost.total).toBeGreaterThan(0);
    const cost = page.locator('.restore-cost');
    await expect(cost.locator('.restore-cost-total').textContent()).resolves.toBe(
      `${formatMoney(preview.cost.total)} once, at ${preview.cost.priceName} prices`,
    );
    const lines = cost.getByRole('list', { name: 'What the cost is made of' }).getByRole('listitem');
    await expect(lines.allTextContents()).resolves.toEqual(
      preview.cost.lines.map((l) => `${l.label}${formatMoney(l.amount)}`),
    );
    await expect(lines.first().textContent()).resolves.toMatch(/^Egress: /);
    await shot('85-restore-cost');
    await expectAccessible(page, 'restore summary with its cost');

    // The same from the local disk: nothing to pay.
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    await toSummary('usb-disk', to);
    await expect.poll(() => summary.textContent(), { timeout: 15_000 }).toMatch(/downloaded from usb-disk/);
    await expect
      .poll(() => cost.locator('.restore-cost-total').textContent())
      .toBe('Free at Local disk prices: nothing to pay for reading it back');
    await shot('86-restore-cost-free');
  });
});
