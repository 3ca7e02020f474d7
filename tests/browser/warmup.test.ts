/** Warm-up progress per indicator on the strategy page, as GET /strategies/{id}/status reports it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { StrategyStatusResponse } from '@btc-research/contracts';
import type { RunningDashboard } from '../../services/dashboard/src/index.js';
import { openPage, screenshot, until } from './support/browser.js';
import { closeInOrder, openDashboardInBrowser } from './support/dashboard-in-browser.js';
import { RealApi } from './support/real-api.js';
import { slowWarmupYaml } from '../../services/api-server/src/test-support/fixtures.js';

// vpfvg-mvp-like: a multi-day warm-up (EMA 50 on 4h needs more than eight days)
const SLOW_YAML = slowWarmupYaml({ entry: '15m', trend: '4h' });
const ID = 'slow-warmup';
const T0 = Date.UTC(2026, 0, 3, 0, 0, 0);
const MINUTES = 30 * 60; // 30 hours: seven whole 4h bars and a half

let browser: Browser;
let api: RealApi;
let dash: RunningDashboard;

beforeAll(async () => {
  api = await new RealApi().start();
  await api.store.upsertStrategy({ id: ID, name: 'Slow warm-up', configName: 'slow.yaml', configYaml: SLOW_YAML, symbol: 'BTCUSDT', status: 'warming-up', error: null, initialCash: '10000', createdAt: T0, updatedAt: T0 });
  await api.store.appendMarketEvents(
    'BTCUSDT',
    Array.from({ length: MINUTES }, (_, i) => {
      const openTime = T0 + i * 60_000;
      return { kind: 'candle' as const, time: openTime + 60_000, sourceId: `candle:${openTime}`, data: { openTime, closeTime: openTime + 60_000, open: '95000', high: '95010', low: '94990', close: '95005', volume: '1', origin: 'simulated' } };
    }),
  );
  const last = T0 + MINUTES * 60_000;
  await api.store.saveState({ strategyId: ID, time: last, cash: '10000', equity: '10000', positionQty: '0', avgEntryPrice: '0', realizedPnl: '0', unrealizedPnl: '0', feesPaid: '0', lastPrice: '95005', lastCandleCloseTime: last, tradeCount: 0, core: null });
  await api.setFeed();
  ({ dash, browser } = await openDashboardInBrowser(api.url));
}, 60_000);

afterAll(async () => {
  await closeInOrder(browser, dash, api);
});

describe('warm-up progress', () => {
  for (const [width, height] of [[1440, 900], [390, 844]] as const) {
    it(`shows bars ready / needed and the ETA of each indicator (${width} px)`, async () => {
      const status = StrategyStatusResponse.parse(await fetch(`${api.url}/api/v1/strategies/${ID}/status`).then((r) => r.json()));
      const w = status.warmup!;
      const ema = w.indicators.find((i) => i.id === 'EMA_50')!;
      expect(ema.barsReady).toBe(7);
      expect(ema.ready).toBe(false);
      const { page, context, errors } = await openPage(browser, { width, height });
      try {
        await page.goto(`${dash.url}/strategies/${ID}`);
        const row = page.locator('#warmup-table tr[data-indicator="EMA_50"]');
        expect(await row.locator('[data-field="bars"]').innerText()).toBe(`7 / ${ema.barsNeeded}`);
        expect(await row.locator('progress').getAttribute('value')).toBe('7');
        // the missing bars of 4 h, less the two hours of the bar in progress (50 bars: 170 h = 7 d 2 h)
        const hours = (ema.barsNeeded - 7) * 4 - 2;
        expect(await row.locator('[data-field="eta"]').innerText()).toBe(`${Math.floor(hours / 24)} d ${hours % 24} h`);
        expect(await page.locator('[data-field="warmup-eta"]').innerText()).toBe(await row.locator('[data-field="eta"]').innerText());
        const rsi = page.locator('#warmup-table tr[data-indicator="RSI_14"]');
        expect(await rsi.locator('[data-field="eta"]').innerText()).toBe('ready');
        expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
        await until('chart loaded', async () => (await page.locator('#price-chart').getAttribute('data-ready')) === 'true', 20_000);
        await screenshot(page, `strategy-warmup-${width}`);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    }, 60_000);
  }
});
