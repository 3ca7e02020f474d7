/**
 * One Chromium for a test file whose tests start their own API and dashboard: what each test starts
 * it pushes on `cleanups`, closed last-first after the file, and the browser after them.
 */
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser.js';

export interface BrowserPerFile {
  readonly browser: Browser;
  readonly cleanups: (() => Promise<void>)[];
}

/** Registers the file's beforeAll/afterAll that launch and close the browser and run the cleanups. */
export function browserPerFile(): BrowserPerFile {
  let browser: Browser | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    while (cleanups.length) await cleanups.pop()!();
    await browser?.close();
  });
  return {
    get browser() {
      if (!browser) throw new Error('the browser is not launched (used outside a test?)');
      return browser;
    },
    cleanups,
  };
}
