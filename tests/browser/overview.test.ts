import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startDashboard, type RunningDashboard } from '../../services/dashboard/src/index.js';
import { silentLogger } from './support/logger.js';
import { launchBrowser, lowestContrast, openPage, relayConnected, screenshot, until } from './support/browser.js';
import { startSeededApi, type RealApi } from './support/real-api.js';

let browser: Browser;
let api: RealApi;
let dash: RunningDashboard;

beforeAll(async () => {
  api = await startSeededApi({
    strategies: [
      { id: 'demo-rsi', name: 'RSI mean reversion', trades: 2 },
      { id: 'demo-ema-cross', name: 'EMA cross', trades: 2 },
      { id: 'breakout', name: 'Breakout', trades: 0 },
    ],
  });
  dash = await startDashboard({ host: '127.0.0.1', port: 0, apiUrl: api.url, logger: silentLogger() });
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
      expect(await page.locator('tr[data-strategy-id]').count()).toBe(3);
      expect(await page.locator('[data-banner="simulated"]').innerText()).toContain('SIMULATED MARKET DATA');
      await until('WebSocket transport', () => page.evaluate(() => document.documentElement.dataset['liveTransport'] === 'ws'));
      await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));

      const row = page.locator('tr[data-strategy-id="demo-rsi"]');
      const before = await row.locator('[data-field="equity"]').innerText();
      await until('relay connected upstream', () => relayConnected(dash.url));
      await api.addFill('demo-rsi', { side: 'buy', price: '96500.00', quantity: '0.01' });
      await api.addFill('demo-rsi', { side: 'sell', price: '96700.00', quantity: '0.01', realizedPnl: '2.00' });
      await until('new trade in the row', async () => (await row.locator('[data-field="lastTrades"] li').first().innerText()).includes('96,700.00'));
      await until('equity changed', async () => (await row.locator('[data-field="equity"]').innerText()) !== before);
      expect(await row.locator('[data-field="tradeCount"]').innerText()).toBe('4');
      // the live numbers equal what the API now says
      const active = (await fetch(`${api.url}/api/v1/strategies/active`).then((r) => r.json())) as { items: { id: string; equity: string; pnl: string; pnlPct: number }[] };
      const s = active.items.find((x) => x.id === 'demo-rsi')! as { id: string; equity: string; pnl: string; pnlPct: number };
      expect(await row.locator('[data-field="equity"]').innerText()).toBe(Number(s.equity).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
      const signed = (n: number): string => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'exceptZero' });
      expect(await row.locator('[data-field="pnl"]').innerText()).toBe(`${signed(Number(s.pnl))} (${signed(s.pnlPct)} %)`);

      await api.setFeed({ state: 'stale', message: 'no candle for 3 minutes' });
      await until('STALE banner', async () => (await page.locator('[data-banner="stale"]').count()) === 1);
      expect(await page.locator('[data-banner="stale"]').innerText()).toContain('STALE');
      await api.setStatus('demo-ema-cross', 'error', 'indicator warm-up failed');
      await until('error status', async () => (await page.locator('tr[data-strategy-id="demo-ema-cross"] [data-field="status"]').innerText()) === 'error');
      expect(await page.locator('tr[data-strategy-id="demo-ema-cross"] [data-field="error"]').innerText()).toContain('warm-up failed');

      expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
      await screenshot(page, 'overview-desktop');
      expect(errors).toEqual([]);
      await api.setFeed({ state: 'live' });
      await until('STALE banner gone', async () => (await page.locator('[data-banner="stale"]').count()) === 0);
    } finally {
      await context.close();
    }
  });

  it('is readable at phone width and usable from the keyboard', async () => {
    const { page, context, errors } = await openPage(browser, { width: 390, height: 844 });
    try {
      await page.goto(dash.url + '/');
      expect(await page.locator('tr[data-strategy-id]').count()).toBe(3);
      // no horizontal scrolling of the page itself
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(1);
      // the first Tab reaches the skip link; Enter on a strategy link opens it
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
      const unlabeled = await page.evaluate(() =>
        Array.from(document.querySelectorAll('button, input:not([type=hidden]), select, textarea, a[href], summary')).filter((el) => {
          const name = (el.getAttribute('aria-label') ?? '') + (el.textContent ?? '').trim() + (el.id ? (document.querySelector(`label[for="${el.id}"]`)?.textContent ?? '') : '');
          return name.trim() === '';
        }).length,
      );
      expect(unlabeled).toBe(0);
      await page.locator('tr[data-strategy-id="demo-rsi"] a').focus();
      await Promise.all([page.waitForURL(/\/strategies\/demo-rsi$/), page.keyboard.press('Enter')]);
      await page.goBack();
      await screenshot(page, 'overview-phone');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('uses text colours with at least 4.5:1 contrast against their backgrounds', async () => {
    const { page, context } = await openPage(browser);
    try {
      await page.goto(dash.url + '/');
      const worst = await lowestContrast(page);
      expect(worst.min, worst.where).toBeGreaterThanOrEqual(4.5);
    } finally {
      await context.close();
    }
  });
});
