/**
 * Bucket and Google Drive sources in the UI, end to end: Chromium (Debian's, through playwright-core)
 * against `strata serve` with a real engine. A bucket on s3rver (filled through the AWS SDK) is
 * added through the Add source form and shows its folders; a fake Google Drive (the Drive v3 API
 * and Google's OAuth endpoints, tests/support/fake-drive) is connected through the real loopback
 * sign-in, the page's popup going to the fake's consent page and back to the engine; a Drive folder
 * is ticked for two disks, backed up, and shows synced; then the Drive is disconnected and
 * reconnected. Screenshots go to test-output/e2e/ (30-…) for a human to look at.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from '../support/axe.js';
import { launchChromium, haveChromium, SHOTS } from '../support/chromium.js';
import { FakeDrive, startFakeDrive, type FakeDriveServer } from '../support/fake-drive/index.js';
import { S3RVER_CREDENTIALS, startS3rver, type S3rverHarness } from '../support/s3rver.js';
import { startServe, type ServedHost } from '../support/serve-host.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const PDF = 'application/pdf';
import { bytes } from '../support/tree.js';

const HAVE_CHROMIUM = haveChromium('Sources');
const BUCKET = 'photos-primary';
const DRIVE_ACCOUNT = 'ada@example.com';

/** Every file under `dir` whose name is `name`, with its content. */
async function findFiles(dir: string, name: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name === name) found.push(await readFile(join(entry.parentPath, entry.name), 'utf8'));
  }
  return found;
}

describe.skipIf(!HAVE_CHROMIUM)('bucket and Google Drive sources in Chromium against strata serve', () => {
  let work: string;
  let s3: S3rverHarness;
  let fake: FakeDriveServer;
  let host: ServedHost;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  /** A modal covers the viewport only: a full-page shot would show the page below it uncovered. */
  const dialogShot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name });
  const sourceRow = (name: string) => page.getByRole('list', { name: 'Sources' }).getByRole('listitem', { name });
  const tree = (source: string) => page.getByRole('treegrid', { name: `Folders of ${source}` });
  const row = (source: string, path: string) => tree(source).locator(`[role="row"][data-path="${path}"]`);
  const badge = (source: string, path: string, dest: string) =>
    row(source, path).locator(`[role="img"][aria-label^="${dest}: "]`);

  async function expand(source: string, path: string): Promise<void> {
    await row(source, path).locator('.tree-chevron').click();
    await expect.poll(() => row(source, path).getAttribute('aria-expanded')).toBe('true');
  }

  /** The link shown while waiting goes to Google's (here the fake's) consent page with the request. */
  async function expectConsentLink(link: Locator): Promise<void> {
    const href = await link.getAttribute('href');
    expect(href?.startsWith(`${fake.authUrl}?`), `link ${href}`).toBe(true);
    expect(new URL(href!).searchParams.get('client_id')).toBe(fake.clientId);
  }

  async function lastRun(): Promise<{ id: number; status: string } | undefined> {
    const runs = await host.call<{ id: number; status: string }[]>('runs.list', { limit: 5 });
    return runs.reduce<{ id: number; status: string } | undefined>((a, r) => (!a || r.id > a.id ? r : a), undefined);
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    work = await mkdtemp(join(tmpdir(), 'strata-e2e-sources-'));

    // The primary bucket an app writes to: keys with '/' make its folders.
    s3 = await startS3rver([BUCKET]);
    const client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
    });
    const objects: [string, string | Uint8Array][] = [
      ['albums/2024/lake.jpg', bytes(200_000, 1)],
      ['albums/2024/notes.txt', 'sunny\n'],
      ['albums/2025/city.jpg', bytes(120_000, 2)],
      ['invoices/2025-03.pdf', bytes(40_000, 3)],
      ['index.json', '{"albums":2}\n'],
    ];
    for (const [key, body] of objects)
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    client.destroy();

    // A Drive with a few folders and files, behind Google's OAuth and Drive v3 endpoints.
    const drive = new FakeDrive({ user: { emailAddress: DRIVE_ACCOUNT, displayName: 'Ada Lovelace' } });
    const projects = drive.addFolder('Projects');
    drive.addFile('plan.txt', 'the plan\n', projects.id, { mimeType: 'text/plain' });
    drive.addFile('budget.csv', 'item,cost\ndisk,80\n', projects.id, { mimeType: 'text/csv' });
    drive.addDoc('Roadmap', { [DOCX]: 'roadmap as docx', [PDF]: '%PDF roadmap' }, projects.id);
    const photos = drive.addFolder('Photos');
    const trip = drive.addFolder('Trip', photos.id);
    drive.addFile('harbour.jpg', bytes(150_000, 4), trip.id, { mimeType: 'image/jpeg' });
    drive.addFile('reading-list.txt', 'SICP\n');
    fake = await startFakeDrive(drive);

    host = await startServe(join(work, 'home'), {
      HOME: work,
      STRATA_GOOGLE_API_URL: fake.rootUrl,
      STRATA_GOOGLE_AUTH_URL: fake.authUrl,
      STRATA_GOOGLE_TOKEN_URL: fake.tokenUrl,
      STRATA_GOOGLE_REVOKE_URL: fake.revokeUrl,
    });
    browser = await launchChromium();
    // axe-core's Playwright builder needs a page of an explicit context.
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
    await page.goto(host.url);
  });

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await shot(`failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await fake?.stop();
    await s3?.stop();
  });

  it('adds a bucket as the first source through the form, and shows its folders in the tree', async () => {
    await page.getByRole('heading', { name: 'Add your first folder' }).waitFor();
    await page.getByRole('radio', { name: /^Bucket/ }).check();
    await page.getByRole('heading', { name: 'Add your first bucket' }).waitFor();
    await page.getByLabel('Provider', { exact: true }).selectOption({ label: 'Other S3-compatible' });
    await page.getByLabel('Endpoint URL', { exact: true }).fill(s3.endpoint);
    await page.getByLabel('Bucket', { exact: true }).fill(BUCKET);
    // The name follows the bucket until the user types one.
    await expect(page.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe(BUCKET);
    await page.getByLabel('Access key ID', { exact: true }).fill(S3RVER_CREDENTIALS.accessKeyId);
    await page.getByLabel('Secret access key', { exact: true }).fill(S3RVER_CREDENTIALS.secretAccessKey);
    await shot('30-add-source-bucket');
    await expectAccessible(page, 'add a bucket');
    await page.getByRole('button', { name: 'Add bucket' }).click();

    // Onboarding goes on to the first destination: a local disk.
    await page.getByRole('heading', { name: 'Choose where backups go' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('usb-disk');
    await page.getByLabel('Folder', { exact: true }).fill(join(work, 'usb'));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();

    await nav('Sources').click();
    const bucketRow = sourceRow(BUCKET);
    await bucketRow.waitFor();
    await expect(bucketRow.getByText('Bucket', { exact: true }).isVisible()).resolves.toBe(true);
    await expect(bucketRow.textContent()).resolves.toContain(BUCKET);
    await row(BUCKET, 'albums').waitFor({ timeout: 30_000 });
    await row(BUCKET, 'invoices').waitFor();
    await row(BUCKET, 'index.json').waitFor();
    await expand(BUCKET, 'albums');
    await row(BUCKET, 'albums/2024').waitFor();
    await row(BUCKET, 'albums/2025').waitFor();
    await expand(BUCKET, 'albums/2024');
    await row(BUCKET, 'albums/2024/lake.jpg').waitFor();
    await shot('31-sources-bucket-tree');
  });

  it('connects Google Drive through the sign-in, and backs up a Drive folder to two disks', async () => {
    // The second local disk.
    await nav('Destinations').click();
    await page.getByRole('button', { name: 'Add destination' }).click();
    await page.getByLabel('Name', { exact: true }).fill('nas');
    await page.getByLabel('Folder', { exact: true }).fill(join(work, 'nas'));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('listitem', { name: 'nas' }).waitFor();

    await nav('Sources').click();
    await page.getByRole('button', { name: 'Add source' }).click();
    await page.getByRole('radio', { name: /^Google Drive/ }).check();
    await page.getByRole('heading', { name: 'Connect Google Drive' }).waitFor();
    await expect(page.getByLabel('Name', { exact: true }).inputValue()).resolves.toBe('google-drive');
    await page.getByLabel('OAuth client ID').fill(fake.clientId);
    await page.getByLabel('Client secret').fill(fake.clientSecret);
    await shot('32-add-source-drive');
    await expectAccessible(page, 'connect Google Drive');

    // Hold Google's consent page until the waiting state is on screen, so it can be looked at.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const consent = (url: URL) => url.href.startsWith(fake.authUrl);
    await context.route(consent, async (route) => {
      await held;
      await route.continue();
    });
    // Playwright hands over a new tab once its first navigation commits, so it comes after the release.
    const popupOpened = context.waitForEvent('page');
    await page.getByRole('button', { name: 'Sign in with Google' }).click();
    await page.getByText('Waiting for Google…').waitFor();
    await expectConsentLink(page.getByRole('link', { name: 'open this link' }));
    await shot('33-drive-waiting');
    release();
    const popup = await popupOpened;

    // The fake consents at once and sends the popup to the engine's loopback, which ends the wait.
    await popup.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/\?.*code=/, { timeout: 30_000 });
    await popup.waitForLoadState();
    await popup.screenshot({ path: join(SHOTS, '34-drive-signed-in-tab.png') });
    await popup.close();
    await context.unroute(consent);

    const driveRow = sourceRow('google-drive');
    await driveRow.getByText('Connected', { exact: true }).waitFor({ timeout: 30_000 });
    await expect(driveRow.getByText(DRIVE_ACCOUNT).isVisible()).resolves.toBe(true);
    await expect(driveRow.getByText('Google Drive', { exact: true }).isVisible()).resolves.toBe(true);
    // The form closes once its poll sees the sign-in done (the list may show the source a moment before).
    await page.getByRole('heading', { name: 'Connect Google Drive' }).waitFor({ state: 'detached', timeout: 10_000 });
    await expect(driveRow.getByRole('button', { name: /^google-drive/ }).getAttribute('aria-current')).resolves.toBe(
      'true',
    );

    // My Drive at the top, its folders below.
    await row('google-drive', 'My Drive').waitFor({ timeout: 30_000 });
    await expand('google-drive', 'My Drive');
    await row('google-drive', 'My Drive/Projects').waitFor({ timeout: 30_000 });
    await row('google-drive', 'My Drive/Photos').waitFor();
    await row('google-drive', 'My Drive/reading-list.txt').waitFor();
    const projects = row('google-drive', 'My Drive/Projects');
    for (const dest of ['usb-disk', 'nas']) {
      const box = projects.getByRole('checkbox', { name: `Back up /My Drive/Projects to ${dest}` });
      await box.click();
      await expect.poll(() => box.isChecked()).toBe(true);
    }
    await expect
      .poll(() =>
        row('google-drive', 'My Drive')
          .getByRole('checkbox', { name: 'Back up /My Drive to nas' })
          .getAttribute('aria-checked'),
      )
      .toBe('mixed');
    // Ticks wait in the save bar until saved.
    const bar = page.getByRole('region', { name: 'Unsaved changes' });
    await bar.getByRole('button', { name: 'Save changes' }).click();
    await bar.waitFor({ state: 'detached' });
    await expand('google-drive', 'My Drive/Projects');
    await row('google-drive', 'My Drive/Projects/plan.txt').waitFor({ timeout: 30_000 });
    await expect(
      badge('google-drive', 'My Drive/Projects/plan.txt', 'nas').getAttribute('data-badge-state'),
    ).resolves.toBe('pending');
    await shot('35-drive-tree-ticked');
    await expectAccessible(page, 'Google Drive tree');

    await nav('Dashboard').click();
    const before = (await lastRun())?.id ?? 0;
    await page.getByRole('button', { name: 'Back up now' }).first().click();
    await expect
      .poll(
        async () => {
          const run = await lastRun();
          return run && run.id > before ? run.status : 'not started';
        },
        { timeout: 120_000 },
      )
      .toBe('ok');
    await page.getByRole('region', { name: 'Backup in progress' }).waitFor({ state: 'detached', timeout: 30_000 });

    await nav('Sources').click();
    await sourceRow('google-drive')
      .getByRole('button', { name: /^google-drive/ })
      .click();
    await expand('google-drive', 'My Drive');
    await expand('google-drive', 'My Drive/Projects');
    for (const dest of ['usb-disk', 'nas']) {
      for (const file of ['plan.txt', 'budget.csv']) {
        await expect
          .poll(() => badge('google-drive', `My Drive/Projects/${file}`, dest).getAttribute('data-badge-state'), {
            timeout: 30_000,
          })
          .toBe('synced');
      }
      await expect(badge('google-drive', 'My Drive/Projects', dest).getAttribute('data-badge-state')).resolves.toBe(
        'synced',
      );
      // Photos was not ticked: nothing of it goes anywhere.
      await expect(badge('google-drive', 'My Drive/Photos', dest).getAttribute('data-badge-state')).resolves.toBe(
        'none',
      );
    }
    await shot('36-drive-tree-synced');
    // The bytes are on both disks, not just the badges.
    await expect(findFiles(join(work, 'usb'), 'plan.txt')).resolves.toContain('the plan\n');
    await expect(findFiles(join(work, 'nas'), 'plan.txt')).resolves.toContain('the plan\n');
    await expect(findFiles(join(work, 'nas'), 'harbour.jpg')).resolves.toEqual([]);
    await expect(findFiles(join(work, 'usb'), 'Roadmap.docx')).resolves.toContain('roadmap as docx');

    // The rules panel of a Drive folder chooses how its Google Docs are saved; the tree shows the new name.
    await row('google-drive', 'My Drive/Projects').locator('.tree-name').click();
    const rules = page.getByRole('region', { name: 'Rules for /My Drive/Projects' });
    const docs = rules.getByRole('form', { name: 'Google files saved as' });
    await expect(docs.getByLabel('Docs').inputValue()).resolves.toBe('');
    await docs.getByLabel('Docs').selectOption('pdf');
    await docs.getByRole('button', { name: 'Save formats' }).click();
    await docs.getByRole('status').getByText('Saved').waitFor();
    await row('google-drive', 'My Drive/Projects/Roadmap.pdf').waitFor({ timeout: 30_000 });
    await expect(row('google-drive', 'My Drive/Projects/Roadmap.docx').count()).resolves.toBe(0);
    await shot('39-drive-docs-format');
  });

  it('disconnects the Drive (Google revokes the grant) and reconnects it with the saved client', async () => {
    const driveRow = sourceRow('google-drive');
    await driveRow.getByRole('button', { name: 'Disconnect google-drive' }).click();
    const confirm = page.getByRole('dialog', { name: 'Disconnect google-drive?' });
    await expect(confirm.textContent()).resolves.toContain(DRIVE_ACCOUNT);
    await confirm.getByRole('button', { name: 'Disconnect' }).click();
    await driveRow.getByText('Disconnected', { exact: true }).waitFor({ timeout: 30_000 });
    expect(fake.requests.some((r) => r.path === '/revoke' && r.status === 200)).toBe(true);
    // Without Google's tokens the tree cannot be read: it says so, and how to fix it.
    await tree('google-drive')
      .getByText(/sign in again/)
      .first()
      .waitFor({ timeout: 30_000 });
    await shot('37-drive-disconnected');

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const consent = (url: URL) => url.href.startsWith(fake.authUrl);
    await context.route(consent, async (route) => {
      await held;
      await route.continue();
    });
    const popupOpened = context.waitForEvent('page');
    await driveRow.getByRole('button', { name: 'Reconnect google-drive' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reconnect google-drive' });
    await dialog.getByText('Waiting for Google…').waitFor();
    await expectConsentLink(dialog.getByRole('link', { name: 'open this link' }));
    await dialogShot('38-drive-reconnect-waiting');
    release();
    const popup = await popupOpened;
    await popup.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/\?.*code=/, { timeout: 30_000 });
    await popup.close();
    await context.unroute(consent);
    await driveRow.getByText('Connected', { exact: true }).waitFor({ timeout: 30_000 });
    await dialog.waitFor({ state: 'detached' });
    // The saved OAuth client was used again: the fake saw the same client id.
    const authorizations = fake.requests.filter((r) => r.path === '/authorize');
    expect(authorizations).toHaveLength(2);
    expect(authorizations[1]!.query['client_id']).toBe(fake.clientId);
    await row('google-drive', 'My Drive').waitFor({ timeout: 30_000 });
  });
});
