import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (or STRATA_CHROMIUM); never a downloaded browser. */
export const CHROMIUM = process.env.STRATA_CHROMIUM ?? '/usr/bin/chromium';

/** Where e2e tests write the screenshots people look at. */
export const SHOTS = fileURLToPath(new URL('../../test-output/e2e/', import.meta.url));

/** Whether Chromium is here; when not, says which suite is skipped and how to get it (a skip is never silent). */
export function haveChromium(suite: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  console.warn(`${suite} e2e skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set STRATA_CHROMIUM)`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
