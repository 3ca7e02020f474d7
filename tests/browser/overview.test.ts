import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Browser } from 'playwright-core';
import { makeLogger, startDashboard, type RunningDashboard } from '../../services/dashboard/src/index.js';
import { ApiDouble } from '../../services/dashboard/src/testing/api-double.js';
import { launchBrowser, openPage, screenshot, until } from './support/browser.js';

const logger = makeLogger('silent');
let browser: Browser;
let api: ApiDouble;
let dash: RunningDashboard;

beforeAll(async () => {
  api = new ApiDouble({ strategies: 3 });
  await api.start();
  dash = await startDashboard({ host: '127.0.0.1', port: 0, apiUrl: api.url, logger });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await dash?.close();
  await api?.close();
});

describe('overview page in Chromium', () => {
  it('lists the strategies, shows the simulated banner and updates live without a reload', async () => {
    const { page, context, errors } = await openPage(browser);
    try {
      await page.goto(dash.url + '/');
      await expect.poll(() => page.locator('tr[data-strategy-id]').count()).toBe(3);
      await expect(page.locator('[data-banner="simulated"]').innerText()).resolves.toContain('SIMULATED MARKET DATA');
      await until('WebSocket transport', () => page.evaluate(() => document.documentElement.dataset['liveTransport'] === 'ws'));
      await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

      const row = page.locator('tr[data-strategy-id="demo-rsi"]');
      const before = await row.locator('[data-field="equity"]').innerText();
      await until('relay connected upstream', () => api.sseClientCount > 0);
      api.addFill('demo-rsi', { side: 'sell', price: '96500.00', quantity: '0.01', realizedPnl: '25.00' });
      await until('new trade in the row', async () => (await row.locator('[data-field="lastTrades"] li').first().innerText()).includes('96,500.00'));
      await until('equity changed', async () => (await row.locator('[data-field="equity"]').innerText()) !== before);
      expect(await row.locator('[data-field="tradeCount"]').innerText()).toBe('3');

      api.setFeed({ state: 'stale' });
      await until('STALE banner', async () => (await page.locator('[data-banner="stale"]').count()) === 1);
      api.setStatus('demo-ema-cross', 'error', 'indicator warm-up failed');
      await until('error status', async () => (await page.locator('tr[data-strategy-id="demo-ema-cross"] [data-field="status"]').innerText()) === 'error');
      expect(await page.locator('tr[data-strategy-id="demo-ema-cross"] [data-field="error"]').innerText()).toContain('warm-up failed');

      expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
      await screenshot(page, 'overview-desktop');
      expect(errors).toEqual([]);
      api.setFeed({ state: 'live' });
    } finally {
      await context.close();
    }
  });

  it('is readable at phone width and usable from the keyboard', async () => {
    const { page, context, errors } = await openPage(browser, { width: 390, height: 844 });
    try {
      await page.goto(dash.url + '/');
      await expect.poll(() => page.locator('tr[data-strategy-id]').count()).toBe(3);
      // no horizontal scrolling of the page itself
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(1);
      // the first Tab reaches the skip link, and every control has an accessible name
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      const unlabeled = await page.evaluate(() =>
        Array.from(document.querySelectorAll('button, input:not([type=hidden]), select, textarea, a[href]')).filter((el) => {
          const name = (el.getAttribute('aria-label') ?? '') + (el.textContent ?? '').trim() + (el.id ? (document.querySelector(`label[for="${el.id}"]`)?.textContent ?? '') : '');
          return name.trim() === '';
        }).length,
      );
      expect(unlabeled).toBe(0);
      await screenshot(page, 'overview-phone');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
