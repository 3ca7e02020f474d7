import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ReconcileReportDto } from '@btc-research/contracts';
import { TradingCore, buildTradingSetup, encodeRecordedInput, toDecimalString } from '@btc-research/engine';
import type { StrategyFillV1 } from '@btc-research/contracts';
import type { RunningDashboard } from '../../services/dashboard/src/index.js';
import { simulatedMarketInputs } from '../../packages/engine/src/market/testing/simulated-market-inputs.js';
import { openPage, screenshot } from './support/browser.js';
import { closeInOrder, openDashboardInBrowser } from './support/dashboard-in-browser.js';
import { RealApi } from './support/real-api.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
let browser: Browser;
let api: RealApi;
let dash: RunningDashboard;
let report: ReconcileReportDto;

/** A paper strategy as the paper-trader stores it: its config, the market log it ran on, its fills and state. */
async function seedPaperRun(): Promise<void> {
  const demo = await readFile(join(repoRoot, 'config', 'demo-ema-cross.yaml'), 'utf8');
  const yaml = `${demo.replaceAll('"5m"', '"1m"')}\nrisk_management:\n  stop_loss: { percent: 0.003 }\n  take_profit: { percent: 0.004 }\n`;
  const market = simulatedMarketInputs(120, 99);
  const setup = buildTradingSetup(yaml, 'ema-1m.yaml', { strategyId: 'ema-1m', initialCash: '10000', tradingStartTime: 0 });
  if (!setup.ok) throw new Error('config');
  const core = new TradingCore(setup.strategy, setup.coreOptions);
  const fills: StrategyFillV1[] = market.flatMap((x) => core.onInput(x)).flatMap((e) =>
    e.type === 'trade'
      ? [{ strategyId: 'ema-1m', tradeId: e.trade.tradeId, orderId: e.trade.orderId, symbol: 'BTCUSDT', side: e.trade.side, quantity: toDecimalString(e.trade.quantity), price: toDecimalString(e.trade.price), fee: toDecimalString(e.trade.fee), realizedPnl: toDecimalString(e.trade.realizedPnl), reason: e.trade.reason, time: e.trade.time, liquidity: e.trade.liquidity, quality: e.trade.quality }]
      : [],
  );
  const store = api.store;
  const t = market.length;
  await store.upsertStrategy({ id: 'ema-1m', name: 'EMA cross 1m', configName: 'ema-1m.yaml', configYaml: yaml, symbol: 'BTCUSDT', status: 'stopped', error: null, initialCash: '10000', createdAt: 0, updatedAt: 0 });
  await store.appendMarketEvents('BTCUSDT', market.map((x, i) => ({ ...encodeRecordedInput(x), sourceId: `sim:${i}` })));
  await store.appendTrades('ema-1m', fills);
  const s = core.summary();
  await store.saveState({ strategyId: 'ema-1m', time: s.time ?? 0, cash: s.ledger.cash, equity: s.equity, positionQty: s.ledger.quantity, avgEntryPrice: s.ledger.avgEntryPrice, realizedPnl: s.ledger.realizedPnl, unrealizedPnl: s.unrealizedPnl, feesPaid: s.ledger.feesPaid, lastPrice: null, lastCandleCloseTime: s.time, tradeCount: fills.length, core: { tradingStartTime: 0, marketSeq: t, run: 1, eventBase: 0 } });
}

beforeAll(async () => {
  api = await new RealApi().start();
  await seedPaperRun();
  ({ dash, browser } = await openDashboardInBrowser(api.url));
  report = ReconcileReportDto.parse(await (await fetch(`${api.url}/api/v1/strategies/ema-1m/reconcile`)).json());
}, 60_000);

afterAll(async () => {
  await closeInOrder(browser, dash, api);
});

describe('reconciliation page', () => {
  it('shows the replay verdict, the gap by cause with its chart, the trades of both runs on the candles, the round trips side by side and the bands', async () => {
    const { page, context, errors } = await openPage(browser);
    try {
      await page.goto(dash.url + '/strategies/ema-1m/reconcile');
      expect(await page.locator('#replay-verdict').innerText()).toBe('identical');
      const gap = report.candleBacktest.pnl.gap;
      expect(Number(gap)).not.toBe(0);
      expect(await page.locator('[data-pnl="gap"]').innerText()).toContain(Math.abs(Number(gap)).toFixed(2));
      // six causes, each a bar and a row; the rows add up to the gap
      expect(await page.locator('#gap-chart rect').count()).toBe(6);
      expect(await page.locator('#attribution tbody tr').count()).toBe(7);
      const { paired, missed, extra } = report.candleBacktest.pairing;
      expect(paired.length).toBeGreaterThan(2);
      expect(await page.locator('#round-trips tr.pair-paper').count()).toBe(paired.length);
      expect(await page.locator('#round-trips tr.pair-backtest').count()).toBe(paired.length);
      expect(await page.locator('#round-trips tr.missed').count()).toBe(missed.length);
      expect(await page.locator('#round-trips tr.extra').count()).toBe(extra.length);
      // entries and exits of both runs on the window's candles (120 one-minute candles: none merged)
      expect(await page.locator('#trades-chart [data-candle]').count()).toBe(report.candles.length);
      expect(report.candles.length).toBe(120);
      expect(await page.locator('#trades-chart [data-marker="paper-entry"]').count()).toBe(paired.length + extra.length);
      expect(await page.locator('#trades-chart [data-marker="backtest-exit"]').count()).toBe(paired.length + missed.length);
      // four equity curves drawn across the chart
      for (const name of ['paper', 'optimistic', 'realistic', 'pessimistic']) {
        const box = await page.locator(`#bands-chart [data-series="${name}"]`).boundingBox();
        expect(box!.width, name).toBeGreaterThan(300);
      }
      expect(await page.locator('[data-band="pessimistic"]').innerText()).toContain('250–1000 ms');
      await screenshot(page, 'reconcile-desktop');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('is reached from the strategy page, takes a window, and stays readable at phone width', async () => {
    const { page, context, errors } = await openPage(browser, { width: 390, height: 844 });
    try {
      await page.goto(dash.url + '/strategies/ema-1m');
      await page.locator('a', { hasText: 'Reconcile' }).click();
      await page.waitForURL(/\/strategies\/ema-1m\/reconcile$/);
      const from = report.window.from + 30 * 60_000;
      await page.fill('#r-from', String(from));
      await page.locator('button', { hasText: 'Reconcile' }).click();
      await page.waitForURL(new RegExp(`from=${from}`));
      expect(await page.locator('p.muted').first().innerText()).toContain(new Date(from).toISOString().slice(11, 16));
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
      await screenshot(page, 'reconcile-phone');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('says why when the API cannot reconcile (a window without candles)', async () => {
    const { page, context } = await openPage(browser);
    try {
      await page.goto(dash.url + '/strategies/ema-1m/reconcile?from=2030-01-01');
      expect(await page.locator('body').innerText()).toContain('no recorded candle closes in the window');
      expect(await page.locator('#replay').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
