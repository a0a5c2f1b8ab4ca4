/**
 * The desktop app end to end through Playwright's Electron driver: launch, the window shows the
 * dashboard, tray actions through the test hooks, Back up now against s3rver, and the page's
 * isolation. Electron's binary is downloaded on first launch from GitHub; where it is absent
 * (as on the build machines) this suite is skipped and says why. To run it on a machine with
 * internet: `npx electron --version` (downloads the binary), rebuild better-sqlite3 for Electron
 * into STRATA_SQLITE_BINDING (README, "Desktop app"), then `npx vitest run tests/e2e/desktop.test.ts`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOk, s3DestArgs } from '../support/cli.js';
import { startS3rver, type S3rverHarness } from '../support/s3rver.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The binary, found without triggering electron's download-on-require. */
function electronBinary(): { path?: string; why?: string } {
  const pkg = join(root, 'node_modules/electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return { why: "Electron's binary was never downloaded (node_modules/electron/path.txt)" };
  const bin = join(pkg, 'dist', readFileSync(pathFile, 'utf8'));
  if (!existsSync(bin)) return { why: `Electron's binary is missing at ${bin}` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { why: 'no display (run under xvfb-run)' };
  }
  if (!process.env.STRATA_SQLITE_BINDING) {
    return { why: 'STRATA_SQLITE_BINDING is not set (better-sqlite3 built for Electron, see README)' };
  }
  return { path: bin };
}

const found = electronBinary();
if (!found.path) console.warn(`Desktop e2e skipped: ${found.why}`);

describe.skipIf(!found.path)('the desktop app (Electron)', () => {
  let app: ElectronApplication;
  let page: Page;
  let s3: S3rverHarness;
  let home: string;

  beforeAll(async () => {
    const work = await mkdtemp(join(tmpdir(), 'strata-desktop-'));
    home = join(work, 'home');
    await mkdir(join(work, 'docs'));
    await writeFile(join(work, 'docs', 'a.txt'), 'desktop backup\n');
    s3 = await startS3rver(['strata-desktop']);
    await cliOk(['source', 'add', 'local', 'docs', join(work, 'docs')], { home });
    await cliOk(s3DestArgs('cloud', s3.endpoint, 'strata-desktop'), {
      home,
      env: { STRATA_SECRET_ACCESS_KEY: 'S3RVER' },
    });
    await cliOk(['policy', 'set', 'docs', '/', '--to', 'cloud'], { home });
    app = await electron.launch({
      executablePath: found.path!,
      args: [root],
      env: {
        ...process.env,
        STRATA_HOME: home,
        STRATA_E2E: '1',
        STRATA_SECRET_STORE: 'vault',
        STRATA_PASSPHRASE: 'test passphrase',
      },
    });
    page = await app.firstWindow();
  });

  afterAll(async () => {
    await app?.close();
    await s3?.stop();
  });

  it('opens on the dashboard, isolated from Node', async () => {
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    expect(page.url()).toMatch(/^app:\/\/strata\//);
    const reach = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      return [typeof w.require, typeof w.process, typeof w.ipcRenderer, Object.keys(w.strataBridge as object).sort()];
    });
    expect(reach).toEqual(['undefined', 'undefined', 'undefined', ['call', 'subscribe']]);
  });

  it('backs up from the tray menu and shows the result', async () => {
    const menu = await app.evaluate(() => (globalThis as any).__strataTest.trayMenu()); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(menu.map((m: { label: string }) => m.label)).toContain('Back up now');
    await app.evaluate(() => (globalThis as any).__strataTest.trayAction('backup-now')); // eslint-disable-line @typescript-eslint/no-explicit-any
    const card = page.getByRole('region', { name: 'Destination cloud' });
    await expect.poll(() => card.textContent(), { timeout: 60_000 }).toMatch(/1 of 1 recent run succeeded/);
    const state = await app.evaluate(() => (globalThis as any).__strataTest.trayState()); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(state.icon).toBe('idle');
    expect(state.tooltip).toMatch(/last backup .* OK/);
  });
});
