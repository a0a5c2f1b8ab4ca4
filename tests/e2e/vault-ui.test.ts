/**
 * A vault destination the way a person meets it: Chromium (Debian's, through playwright-core)
 * against `strata serve`. The editor's Layout choice asks for the passphrase twice (a mismatch is
 * shown, not sent), the list tags the vault, ticks are saved, Back up now fills it, the restore
 * wizard reads it back byte for byte, and Change passphrase re-wraps the key. The passphrases
 * appear in no answer, no output of the host and no file of its data folder. Screenshots 90-95.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DestinationInfo } from '../../shared/api/entities.js';
import { expectAccessible } from '../support/axe.js';
import { launchChromium, haveChromium, SHOTS } from '../support/chromium.js';
import { startServe, type ServedHost } from '../support/serve-host.js';
import { bytes, diffTrees, put, treeState } from '../support/tree.js';

const HAVE_CHROMIUM = haveChromium('Vault');

const PASSPHRASE = 'lighthouse-VAULT-phrase-2718';
const TYPO = 'lighthouse-VAULT-phrase-2719';
const NEW_PASSPHRASE = 'harbour-VAULT-phrase-3141';

describe.skipIf(!HAVE_CHROMIUM)('vault destinations in the app', () => {
  let work: string;
  let src: string;
  let home: string;
  let host: ServedHost;
  let browser: Browser;
  let page: Page;

  // From the top, so the sticky sidebar sits where it does when the page opens.
  const shot = async (name: string) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });
  const row = (path: string) =>
    page.getByRole('treegrid', { name: 'Folders of projects' }).locator(`[role="row"][data-path="${path}"]`);
  const step = (title: RegExp) => page.getByRole('heading', { level: 2, name: title });
  const next = () => page.getByRole('button', { name: 'Next', exact: true }).click();

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    work = await mkdtemp(join(tmpdir(), 'strata-e2e-vault-'));
    src = join(work, 'projects');
    await put(src, 'docs/plan.txt', 'the plan\n');
    await put(src, 'docs/report.pdf', bytes(1_500_000, 3));
    await put(src, 'photos/lake.jpg', bytes(2_500_000, 5));
    await put(src, 'photos/copy-of-lake.jpg', bytes(2_500_000, 5));
    await put(src, 'readme.txt', 'top level\n');
    // The vault's folder is there already, as on a backup disk (the picker lists it, nothing to complain about).
    await mkdir(join(work, 'vault-disk'));
    home = join(work, 'home');
    host = await startServe(home, { HOME: work });
    await host.call('sources.add', { name: 'projects', path: src });
    // A mirror beside the vault (and past onboarding, which waits for a first destination).
    await host.call('destinations.add', { name: 'usb-disk', settings: { kind: 'local', path: join(work, 'usb') } });

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    await page.goto(host.url);
  }, 120_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('adds a vault: the passphrase is asked twice, a mismatch is shown, and the list tags it', async () => {
    await nav('Destinations').click();
    await page.getByRole('button', { name: 'Add destination' }).click();
    await page.getByLabel('Folder', { exact: true }).fill(join(work, 'vault-disk'));
    await page.getByLabel('Name', { exact: true }).fill('safe');
    // Mirror is the default; the vault asks for nothing until chosen.
    await expect(page.getByRole('radio', { name: /^Mirror/ }).isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('Passphrase', { exact: true }).count()).resolves.toBe(0);
    await page.getByRole('radio', { name: /^Vault — deduplicated, compressed and encrypted/ }).check();
    const warning = page.getByRole('note', { name: 'Keep the passphrase safe' });
    await expect(warning.textContent()).resolves.toMatch(/Without it nothing in this vault can be restored/);

    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByLabel('Confirm passphrase', { exact: true }).fill(TYPO);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('The passphrases do not match').waitFor();
    await expect(page.getByLabel('Confirm passphrase', { exact: true }).getAttribute('aria-invalid')).resolves.toBe(
      'true',
    );
    expect((await host.call<DestinationInfo[]>('destinations.list')).map((d) => d.name)).toEqual(['usb-disk']);
    await shot('90-vault-editor-mismatch');
    await expectAccessible(page, 'destination editor, vault');

    await page.getByLabel('Confirm passphrase', { exact: true }).fill(PASSPHRASE);
    await expect(page.getByText('The passphrases do not match').count()).resolves.toBe(0);
    // scrypt at full strength: a second or so.
    await page.getByRole('button', { name: 'Save' }).click();
    const item = page.getByRole('listitem', { name: 'safe' });
    await item.waitFor({ timeout: 30_000 });
    await expect(item.locator('.tag-vault').textContent()).resolves.toBe('Vault');
    const layouts = (await host.call<DestinationInfo[]>('destinations.list')).map((d) => [d.name, d.settings.layout]);
    expect(Object.fromEntries(layouts)).toEqual({ 'usb-disk': 'mirror', safe: 'vault' });
    await expect(page.getByRole('listitem', { name: 'usb-disk' }).locator('.tag-vault').count()).resolves.toBe(0);
    await shot('91-vault-destination-listed');
    await expectAccessible(page, 'destinations with a vault');
  });

  it('backs up the ticked folder into the vault and restores it byte for byte through the wizard', async () => {
    await nav('Sources').click();
    await row('').getByRole('checkbox', { name: 'Back up / to safe' }).click();
    const bar = page.getByRole('region', { name: 'Unsaved changes' });
    await bar.getByRole('button', { name: 'Save changes' }).click();
    await bar.waitFor({ state: 'detached' });

    const before = (await host.call<{ id: number }[]>('runs.list', { limit: 1 }))[0]?.id ?? 0;
    await nav('Dashboard').click();
    await page.getByRole('button', { name: 'Back up now' }).first().click();
    await expect
      .poll(
        async () =>
          (await host.call<{ id: number; status: string }[]>('runs.list', { limit: 5 })).find((r) => r.id > before)
            ?.status,
        { timeout: 120_000, interval: 200 },
      )
      .toBe('ok');
    await nav('Sources').click();
    await expect
      .poll(() => row('docs').locator('[role="img"][aria-label^="safe: "]').getAttribute('data-badge-state'), {
        timeout: 30_000,
      })
      .toBe('synced');
    await shot('92-vault-backed-up');

    const to = join(work, 'restored');
    await nav('Restore').click();
    await step(/^1\. Snapshot/).waitFor();
    await page.getByLabel('Restore from').selectOption('safe');
    await expect
      .poll(() => page.getByRole('group', { name: 'Snapshot' }).getByRole('radio').count(), { timeout: 30_000 })
      .toBe(1);
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
    await page.getByRole('button', { name: 'Start restore' }).click();
    await step(/^7\. Report/).waitFor({ timeout: 120_000 });
    await expect(page.locator('.report-head').textContent()).resolves.toMatch(/Restored 5 files; every one checked/);
    expect(diffTrees(await treeState(src), await treeState(to))).toEqual([]);
    await shot('93-vault-restored');
  });

  it('changes the passphrase through the dialog; the vault still opens, with the new one only', async () => {
    await nav('Destinations').click();
    await page.getByRole('button', { name: 'Edit safe' }).click();
    const layout = page.getByRole('group', { name: 'Layout' });
    await expect(layout.textContent()).resolves.toMatch(/Vault — deduplicated, compressed and encrypted/);
    await expect(layout.textContent()).resolves.toMatch(/cannot be changed/);
    // Read-only: no choice to make when editing.
    await expect(page.getByRole('radio', { name: /^Mirror/ }).count()).resolves.toBe(0);
    await page.getByRole('region', { name: 'What it would cost' }).getByRole('table').waitFor({ timeout: 15_000 });
    await shot('94-vault-edit');

    await layout.getByRole('button', { name: 'Change passphrase…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change the passphrase of safe' });
    await dialog.waitFor();
    await dialog.getByLabel('New passphrase', { exact: true }).fill(NEW_PASSPHRASE);
    await dialog.getByLabel('Confirm new passphrase', { exact: true }).fill(TYPO);
    await dialog.getByRole('button', { name: 'Change passphrase' }).click();
    await dialog.getByText('The passphrases do not match').waitFor();
    await dialog.getByLabel('Confirm new passphrase', { exact: true }).fill(NEW_PASSPHRASE);
    // The viewport only: the dialog's backdrop covers the window, not the whole long page.
    await page.screenshot({ path: join(SHOTS, '95-vault-change-passphrase.png') });
    await expectAccessible(page, 'change passphrase dialog');
    await dialog.getByRole('button', { name: 'Change passphrase' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByRole('status').filter({ hasText: 'The passphrase of safe was changed.' }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();

    // The saved (new) passphrase opens it; joining with the old one is refused, adding nothing.
    expect(await host.call<unknown[]>('snapshots.list', { destination: 'safe' })).toHaveLength(1);
    const join_ = (passphrase: string) =>
      host.call('destinations.add', {
        name: 'joined',
        settings: { kind: 'local', path: join(work, 'vault-disk'), layout: 'vault', repoPassphrase: passphrase },
      });
    await expect(join_(PASSPHRASE)).rejects.toThrow(/wrong passphrase/);
    await join_(NEW_PASSPHRASE);
    expect((await host.call<DestinationInfo[]>('destinations.list')).map((d) => d.name).sort()).toEqual([
      'joined',
      'safe',
      'usb-disk',
    ]);
  });

  it('tests a new vault draft against the folder: a wrong passphrase and a mirror layout are caught before saving', async () => {
    await nav('Destinations').click();
    await page.getByRole('button', { name: 'Add destination' }).click();
    await page.getByLabel('Folder', { exact: true }).fill(join(work, 'vault-disk'));
    await page.getByLabel('Name', { exact: true }).fill('second-machine');
    // As a mirror: the folder holds a vault.
    await page.getByRole('button', { name: 'Test connection' }).click();
    const result = page.getByRole('status').filter({ hasText: 'What it holds' });
    await result.waitFor({ timeout: 30_000 });
    await expect(result.textContent()).resolves.toMatch(/holds a vault: choose the Vault layout/);
    // As a vault with the old passphrase: refused, with what to do.
    await page.getByRole('radio', { name: /^Vault — deduplicated, compressed and encrypted/ }).check();
    await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByRole('status').filter({ hasText: 'wrong passphrase' }).waitFor({ timeout: 30_000 });
    await shot('96-vault-test-wrong-passphrase');
    await page.getByLabel('Passphrase', { exact: true }).fill(NEW_PASSPHRASE);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Connection test.*Connected/ })
      .waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await host.call<DestinationInfo[]>('destinations.list')).map((d) => d.name)).not.toContain(
      'second-machine',
    );
  });

  it('keeps every passphrase out of answers, the host output and the data folder', async () => {
    const answers = JSON.stringify(await host.call('destinations.list'));
    const files = (await readdir(home, { withFileTypes: true, recursive: true })).filter((e) => e.isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const p of [PASSPHRASE, TYPO, NEW_PASSPHRASE]) {
      expect(answers).not.toContain(p);
      expect(host.output()).not.toContain(p);
      for (const f of files) {
        const content = await readFile(join(f.parentPath, f.name));
        expect(content.includes(Buffer.from(p)), `${f.name} holds a passphrase`).toBe(false);
      }
    }
  });
});
