/**
 * A page misses nothing between its render and its live connection: the relay replays what it
 * passed on since the page's render (the page says when), as long as it was connected to the API
 * all that time. Real API, dashboard and Chromium; the page's live script is held back so a fill
 * happens in exactly that gap.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '@btc-research/platform';
import { startDashboard } from '../../services/dashboard/src/index.js';
import { silentLogger } from './support/logger.js';
import { openPage, relayConnected, until } from './support/browser.js';
import { browserPerFile } from './support/browser-per-file.js';
import { startGatedProxy } from './support/gated-proxy.js';
import { startSeededApi } from './support/real-api.js';

const shared = browserPerFile();

describe('a page opened while the relay is connected', () => {
  it('shows a fill that happened between its render and its live connection, without a reload', async () => {
    const api = await startSeededApi({ strategies: [{ id: 'demo-rsi', name: 'RSI mean reversion', trades: 2 }] });
    const dash = await startDashboard({ host: '127.0.0.1', port: 0, apiUrl: api.url, logger: silentLogger() });
    shared.cleanups.push(() => api.close(), () => dash.close());
    const lastTrades = (page: import('playwright-core').Page) => page.locator('tr[data-strategy-id="demo-rsi"] [data-field="lastTrades"] li').first();

    // another tab keeps the relay connected to the API
    const other = await openPage(shared.browser);
    const late = await openPage(shared.browser);
    try {
      await other.page.goto(dash.url + '/');
      await until('relay connected upstream', () => relayConnected(dash.url));

      // the second page renders, but its live script waits
      let releaseScript = (): void => undefined;
      const scriptHeld = new Promise<void>((asked) => {
        void late.page.route('**/assets/live.js', async (route) => {
          asked();
          await new Promise<void>((release) => (releaseScript = release));
          await route.continue();
        });
      });
      await late.page.goto(dash.url + '/', { waitUntil: 'commit' });
      await scriptHeld;
      expect(await late.page.locator('tr[data-strategy-id="demo-rsi"]').count()).toBe(1);

      // a fill while the page has no live connection; the other tab sees it live
      await api.addFill('demo-rsi', { side: 'buy', price: '93456.00', quantity: '0.03' });
      await until('the other tab shows the fill', async () => (await lastTrades(other.page).innerText()).includes('93,456.00'), 15_000);
      expect(await lastTrades(late.page).innerText()).not.toContain('93,456.00');

      releaseScript();
      await until('live connection', () => late.page.evaluate(() => document.documentElement.dataset['liveUpstream'] === 'sse'), 15_000);
      await until('the late page shows the fill', async () => (await lastTrades(late.page).innerText()).includes('93,456.00'), 15_000);
      expect(late.errors).toEqual([]);
      expect(other.errors).toEqual([]);
    } finally {
      await late.context.close();
      await other.context.close();
    }
  }, 60_000);
});

describe('a page open while its dashboard cannot reach the API', () => {
  it('reloads its trades and panels once events flow again, without a reload of the page', async () => {
    const api = await startSeededApi({ strategies: [{ id: 'demo-rsi', name: 'RSI mean reversion', trades: 2 }] });
    const gate = await startGatedProxy(api.url, /^\/api\/v1\/events$/);
    const dash = await startDashboard({ host: '127.0.0.1', port: 0, apiUrl: gate.url, logger: silentLogger() });
    shared.cleanups.push(() => api.close(), () => gate.close(), () => dash.close());
    const { page, context, errors } = await openPage(shared.browser);
    try {
      await page.goto(`${dash.url}/strategies/demo-rsi`);
      await until('waiting for the API', () => page.evaluate(() => document.documentElement.dataset['liveUpstream'] === 'idle'), 15_000);
      await waitFor(() => gate.held > 0, { what: "the dashboard's request for the API's event stream" });
      await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
      const rowsBefore = await page.locator('#trades tbody tr').count();
      const countBefore = Number(await page.locator('[data-kpi="tradeCount"]').innerText());

      // a fill no event can bring to the page
      const fill = await api.addFill('demo-rsi', { side: 'sell', price: '94321.00', quantity: '0.02' });
      expect(await page.locator(`#trades tr[data-trade-id="${fill.tradeId}"]`).count()).toBe(0);

      gate.open();
      await until('the missed fill in the trade list', async () => (await page.locator(`#trades tr[data-trade-id="${fill.tradeId}"]`).count()) === 1, 15_000);
      const rows = page.locator('#trades tbody tr');
      expect(await rows.count()).toBe(rowsBefore + 1);
      expect(await rows.first().getAttribute('data-trade-id')).toBe(String(fill.tradeId));
      expect(await rows.first().innerText()).toContain('94,321.00');
      expect(Number(await page.locator('[data-kpi="tradeCount"]').innerText())).toBe(countBefore + 1);
      expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
