/** The market page stays live and consistent: book, bid/ask above it, depth chart, trade tape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { MessageType, StreamRetention, Streams, makeEnvelope } from '@btc-research/contracts';
import type { RunningDashboard } from '../../services/dashboard/src/index.js';
import { openPage, screenshot, until } from './support/browser.js';
import { closeInOrder, openDashboardInBrowser } from './support/dashboard-in-browser.js';
import { startSeededApi, type RealApi } from './support/real-api.js';

let browser: Browser;
let api: RealApi;
let dash: RunningDashboard;
let seq = 0;

async function publishBook(mid: number): Promise<void> {
  const t = Date.now();
  seq += 1;
  const bids = Array.from({ length: 12 }, (_, i) => [(mid - 0.5 - i).toFixed(2), (0.4 + i * 0.1).toFixed(3)] as [string, string]);
  const asks = Array.from({ length: 12 }, (_, i) => [(mid + 0.5 + i).toFixed(2), (0.3 + i * 0.15).toFixed(3)] as [string, string]);
  await api.bus.publish(Streams.bookDepth('BTCUSDT'), makeEnvelope({ type: MessageType.bookDepth, id: `depth-${seq}`, source: 'dashboard-test', tsEvent: t, tsInit: t, payload: { venue: 'SIMULATED', symbol: 'BTCUSDT', lastUpdateId: seq, time: t, bids, asks } }), StreamRetention.bookDepth);
  // the best-bid/ask stream a moment ahead, at another price: the page must not mix the two
  await api.bus.publish(Streams.bookTicker('BTCUSDT'), makeEnvelope({ type: MessageType.bookTicker, id: `bt-${seq}`, source: 'dashboard-test', tsEvent: t + 5, tsInit: t + 5, payload: { venue: 'SIMULATED', symbol: 'BTCUSDT', bidPrice: (mid + 3).toFixed(2), bidQty: '1', askPrice: (mid + 4).toFixed(2), askQty: '1', time: t + 5 } }), StreamRetention.bookTicker);
}

async function publishTrade(price: string, buyerMaker: boolean): Promise<void> {
  const t = Date.now();
  seq += 1;
  await api.bus.publish(Streams.trades('BTCUSDT'), makeEnvelope({ type: MessageType.trade, id: `tr-${seq}`, source: 'dashboard-test', tsEvent: t, tsInit: t, payload: { venue: 'SIMULATED', symbol: 'BTCUSDT', tradeId: `m${seq}`, price, quantity: '0.123', time: t, isBuyerMaker: buyerMaker } }), StreamRetention.trades);
}

beforeAll(async () => {
  api = await startSeededApi();
  await publishBook(95_000);
  await publishTrade('95000.10', false);
  ({ dash, browser } = await openDashboardInBrowser(api.url));
}, 60_000);

afterAll(async () => {
  await closeInOrder(browser, dash, api);
});

describe('market page', () => {
  for (const [width, height] of [[1440, 900], [390, 844]] as const) {
    it(`refreshes the book with the bid/ask above it from the same snapshot, draws depth and the trade tape (${width} px)`, async () => {
      const { page, context, errors } = await openPage(browser, { width, height });
      try {
        await page.goto(`${dash.url}/market`);
        const firstBid = async (): Promise<string> => page.locator('#book-bids tbody tr').first().locator('td').first().innerText();
        const firstAsk = async (): Promise<string> => page.locator('#book-asks tbody tr').first().locator('td').first().innerText();
        const tick = async (k: string): Promise<string> => page.locator(`[data-tick="${k}"]`).innerText();
        const mid = 95_000 + width; // a different book per run
        expect(await tick('bid')).toBe(await firstBid());
        expect(await tick('ask')).toBe(await firstAsk());
        expect(await page.locator('#book-bids tbody tr').count()).toBe(12);

        // a new book and trades arrive: the page follows without a reload, and still agrees with itself
        await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
        await publishBook(mid);
        await publishTrade(`${mid}.25`, true);
        await until('book refreshed', async () => (await firstBid()) === (mid - 0.5).toLocaleString('en-US', { minimumFractionDigits: 2 }), 15_000, 200);
        expect(await tick('bid')).toBe(await firstBid());
        expect(await tick('ask')).toBe(await firstAsk());
        expect(await tick('spread')).toContain('1.00');
        await until('trade tape refreshed', async () => (await page.locator('#recent-trades tbody tr').first().innerText()).includes(`${(mid).toLocaleString('en-US')}.25`), 15_000, 200);
        expect(await page.locator('#recent-trades tbody tr').first().innerText()).toContain('sell');
        expect(await tick('price')).toBe(`${mid.toLocaleString('en-US')}.25`);
        // the depth chart: cumulative bids and asks, one step per level
        expect(await page.locator('#depth-chart path[data-side="bids"]').getAttribute('data-levels')).toBe('12');
        expect(await page.locator('#depth-chart path[data-side="asks"]').getAttribute('data-levels')).toBe('12');
        expect(await page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload)).toBe(true);
        expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
        await screenshot(page, `market-${width}`);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }, 60_000);
  }
});
