/**
 * The dashboard in front of a test's own API, with a Chromium to look at it: what most browser tests
 * start once their API holds the data they need, and close again after it.
 */
import type { Browser } from 'playwright-core';
import { startDashboard, type RunningDashboard } from '../../../services/dashboard/src/index.js';
import { DEFAULT_DEV_API_KEY } from '../../../services/api-server/src/index.js';
import { silentLogger } from './logger.js';
import { launchBrowser } from './browser.js';

export interface DashboardInBrowser {
  dash: RunningDashboard;
  browser: Browser;
}

/** Starts the dashboard on `apiUrl` with the development API key, then launches Chromium. */
export async function openDashboardInBrowser(apiUrl: string): Promise<DashboardInBrowser> {
  const dash = await startDashboard({ host: '127.0.0.1', port: 0, apiUrl, apiKey: DEFAULT_DEV_API_KEY, logger: silentLogger() });
  const browser = await launchBrowser().catch(async (err: unknown) => {
    await dash.close();
    throw err;
  });
  return { dash, browser };
}

/** Closes each in the order given, skipping what never started (a failed beforeAll leaves it undefined). */
export async function closeInOrder(...running: ({ close(): Promise<unknown> } | undefined)[]): Promise<void> {
  for (const r of running) await r?.close();
}
