/**
 * The whole embedded system (scripts/start.ts) and a Chromium for one test file: started before its
 * tests, closed after them, and the system must then exit cleanly (code 0).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { startEmbedded, type EmbeddedOptions, type EmbeddedSystem } from './embedded.js';

export interface EmbeddedInBrowser {
  /** the running system; set once the file's beforeAll has run */
  readonly sys: EmbeddedSystem;
  readonly browser: Browser;
}

/** Registers the file's beforeAll/afterAll that start and stop the system and the browser. */
export function embeddedSystemInBrowser(options: EmbeddedOptions): EmbeddedInBrowser {
  let sys: EmbeddedSystem | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    sys = await startEmbedded(options);
    browser = await launchBrowser();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    expect(await sys?.stop()).toBe(0);
  }, 30_000);
  return {
    get sys() {
      if (!sys) throw new Error('the embedded system is not started (used outside a test?)');
      return sys;
    },
    get browser() {
      if (!browser) throw new Error('the browser is not launched (used outside a test?)');
      return browser;
    },
  };
}
