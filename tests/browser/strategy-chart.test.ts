/**
 * The strategy chart (packages/charts/assets/strategy-chart.js) on the real dashboard over the real
 * api-server: an original-format FVG config whose count and index columns used to flatten the price
 * pane, three days of candles in the stored market log, trades over all of them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { MessageType, StreamRetention, Streams, makeEnvelope, type StrategyFillV1 } from '@btc-research/contracts';
import type { RunningDashboard } from '../../services/dashboard/src/index.js';
import { openPage, screenshot, until } from './support/browser.js';
import { closeInOrder, openDashboardInBrowser } from './support/dashboard-in-browser.js';
import { RealApi } from './support/real-api.js';

// The original btc_research FVG strategy's indicators (fvg-strategy.yaml), on BTC/USDT.
const FVG_YAML = `version: "1.0"
name: "FVG Gap Trading Strategy"
symbol: "BTC/USDT"
exchange: "binance"
timeframes:
  structure: "1h"
  entry: "15m"
indicators:
  - id: "EMA_50"
    type: "EMA"
    timeframe: "1h"
    length: 50
  - id: "FVG_15m"
    type: "FVG"
    timeframe: "15m"
    min_gap_pips: 10.0
    max_lookback: 200
  - id: "RSI_14"
    type: "RSI"
    timeframe: "15m"
    length: 14
logic:
  entry_long:
    - "EMA_50_trend == 'bull'"
    - "FVG_15m_FVG_bullish_signal == True"
    - "FVG_15m_FVG_active_bullish_gaps > 0"
  exit_long:
    - "FVG_15m_FVG_gap_filled == True"
  entry_short: []
  exit_short: []
backtest:
  cash: 10000
  commission: 0.0004
  slippage: 0.001
`;

const ID = 'fvg-original';
const T0 = Date.UTC(2026, 0, 2, 0, 0, 0);
const MINUTES = 3 * 24 * 60;
const TRADES = 12;

let browser: Browser;
let api: RealApi;
let dash: RunningDashboard;
let lowest = Infinity;
let highest = -Infinity;

/** A seeded walk around 95,000 with jumps now and then, so the 15m candles leave fair value gaps. */
function candles(): Array<{ openTime: number; closeTime: number; open: string; high: string; low: string; close: string; volume: string }> {
  let seed = 14;
  const rnd = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
  let price = 95_000;
  const out = [];
  for (let i = 0; i < MINUTES; i++) {
    const open = price;
    const close = open + (rnd() - 0.5) * 60 + (i % 97 === 0 ? (rnd() - 0.5) * 600 : 0);
    const high = Math.max(open, close) + rnd() * 15;
    const low = Math.min(open, close) - rnd() * 15;
    lowest = Math.min(lowest, low);
    highest = Math.max(highest, high);
    out.push({ openTime: T0 + i * 60_000, closeTime: T0 + (i + 1) * 60_000, open: open.toFixed(2), high: high.toFixed(2), low: low.toFixed(2), close: close.toFixed(2), volume: (1 + rnd() * 5).toFixed(3) });
    price = close;
  }
  return out;
}

beforeAll(async () => {
  api = await new RealApi().start();
  await api.store.upsertStrategy({ id: ID, name: 'FVG Gap Trading Strategy', configName: 'fvg-strategy.yaml', configYaml: FVG_YAML, symbol: 'BTCUSDT', status: 'running', error: null, initialCash: '10000', createdAt: T0, updatedAt: T0 });
  const cs = candles();
  // as the paper-trader's market-log writer stores them (the bus is empty: nothing but stored history)
  await api.store.appendMarketEvents('BTCUSDT', cs.map((c) => ({ kind: 'candle' as const, time: c.closeTime, sourceId: `candle:${c.openTime}`, data: { ...c, origin: 'simulated' } })));
  // a fill every five hours over the three days: most are far older than the newest page
  const fills: StrategyFillV1[] = [];
  for (let i = 0; i < TRADES; i++) {
    const time = T0 + (i * 5 + 1) * 3_600_000 + 30_000;
    const c = cs[Math.floor((time - T0) / 60_000)]!;
    const buy = i % 2 === 0;
    fills.push({ strategyId: ID, tradeId: `${ID}-t${i}`, orderId: `${ID}-o${i}`, symbol: 'BTCUSDT', side: buy ? 'buy' : 'sell', quantity: '0.01', price: c.close, fee: '0.38', realizedPnl: '0', reason: buy ? 'entry_long' : 'exit_long', time });
  }
  await api.store.appendTrades(ID, fills);
  // the equity curve over the same three days, a point an hour
  await api.store.appendEquity(ID, Array.from({ length: 73 }, (_, i) => ({ time: T0 + i * 3_600_000, equity: (10_000 + 40 * Math.sin(i / 5) - i).toFixed(2) })));
  await api.setFeed();
  ({ dash, browser } = await openDashboardInBrowser(api.url));
}, 60_000);

afterAll(async () => {
  await closeInOrder(browser, dash, api);
});

const chartData = (page: Page): Promise<Record<string, string>> => page.evaluate(() => ({ ...(document.getElementById('price-chart') as HTMLElement).dataset }) as Record<string, string>);
const priceRange = (page: Page): Promise<{ from: number; to: number }> =>
  page.evaluate(() => (document.getElementById('price-chart') as unknown as { strategyChart: { priceRange(): { from: number; to: number } } }).strategyChart.priceRange());

async function scrollBackUntilAllLoaded(page: Page): Promise<void> {
  for (let i = 0; i < 30; i++) {
    if ((await page.locator('#price-chart .chart-legend').innerText()).includes('stored history starts')) return;
    const bars = Number((await chartData(page))['bars']);
    await page.evaluate(() => (document.getElementById('price-chart') as unknown as { strategyChart: { scrollToStart(): void } }).strategyChart.scrollToStart());
    await until('an older page loaded', async () => Number((await chartData(page))['bars']) > bars || (await page.locator('#price-chart .chart-legend').innerText()).includes('stored history starts'), 15_000, 100);
  }
  throw new Error('history never ended');
}

describe('strategy chart', () => {
  it('keeps FVG counts and indexes off the price pane (hidden until switched on, then in panes of their own); every series toggles', async () => {
    const { page, context, errors } = await openPage(browser, { width: 1440, height: 900 });
    try {
      await page.goto(`${dash.url}/strategies/${ID}`);
      await until('chart loaded', async () => (await chartData(page))['ready'] === 'true', 20_000);
      const toggles = page.locator('#price-chart input[data-series]');
      const series = await toggles.evaluateAll((els) => els.map((e) => ({ name: e.getAttribute('data-series'), kind: e.getAttribute('data-kind'), on: (e as HTMLInputElement).checked })));
      const byName = new Map(series.map((s) => [s.name, s]));
      expect(byName.get('FVG_15m_FVG_active_bullish_gaps')).toEqual({ name: 'FVG_15m_FVG_active_bullish_gaps', kind: 'count', on: false });
      expect(byName.get('FVG_15m_FVG_bullish_bin_idx')).toMatchObject({ kind: 'count', on: false });
      expect(byName.get('FVG_15m_FVG_bullish_signal')).toMatchObject({ kind: 'boolean', on: false });
      expect(byName.get('FVG_15m_FVG_nearest_resistance')).toMatchObject({ kind: 'price', on: true });
      expect(byName.get('EMA_50')).toMatchObject({ kind: 'price', on: true });
      expect(byName.get('RSI_14')).toMatchObject({ kind: 'bounded', on: true });
      for (const s of series) if (s.kind === 'count' || s.kind === 'boolean') expect(s.on, s.name ?? '').toBe(false);

      // the price pane's scale is the candles' (±20 %), not 0 … 95,000
      const near = (r: { from: number; to: number }): void => {
        expect(r.from).toBeGreaterThan(lowest * 0.8);
        expect(r.to).toBeLessThan(highest * 1.2);
      };
      near(await priceRange(page));
      const panesBefore = Number((await chartData(page))['panes']);
      // switch every series on: counts and flags get panes of their own, the price scale stays
      for (const s of series) if (!s.on) await page.locator(`#price-chart input[data-series="${s.name}"]`).check();
      const panesAll = Number((await chartData(page))['panes']);
      expect(panesAll).toBeGreaterThan(panesBefore);
      near(await priceRange(page));
      await screenshot(page, 'strategy-chart-all-series');
      // … and every one of them off again: only candles and volume remain
      for (const s of series) await page.locator(`#price-chart input[data-series="${s.name}"]`).uncheck();
      expect((await chartData(page))['panes']).toBe('2');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('pages history in as the user scrolls back, switches timeframes, marks every trade with its tag and shows the forming candle as provisional', async () => {
    const { page, context, errors } = await openPage(browser, { width: 1440, height: 900 });
    try {
      await page.goto(`${dash.url}/strategies/${ID}`);
      await until('chart loaded', async () => (await chartData(page))['ready'] === 'true', 20_000);
      const first = await chartData(page);
      expect(first['timeframe']).toBe('1m');
      expect(Number(first['bars'])).toBe(300);
      // the newest 5 hours hold none of the trades yet: they come with the older pages
      expect(Number(first['markers'])).toBe(0);
      expect(await page.locator('#price-chart .chart-legend').innerText()).toContain('older trades: scroll back');
      await page.evaluate(() => (document.getElementById('price-chart') as unknown as { strategyChart: { scrollToStart(): void } }).strategyChart.scrollToStart());
      await until('an older 1m page', async () => Number((await chartData(page))['bars']) === 600, 15_000);

      // 5m: the whole three days in three pages, then every trade has its marker
      await page.locator('#price-chart button[data-tf="5m"]').click();
      await until('5m loaded', async () => (await chartData(page))['timeframe'] === '5m' && (await chartData(page))['ready'] === 'true');
      await scrollBackUntilAllLoaded(page);
      const all5m = await chartData(page);
      expect(Number(all5m['bars'])).toBe(MINUTES / 5);
      expect(Number(all5m['markers'])).toBe(TRADES);
      expect(all5m['markerTags']).toBe('entry long,exit long');
      expect(Number(all5m['firstBar'])).toBe(T0);

      // 1h: one page, every trade marked; the time axis shows dates
      await page.locator('#price-chart button[data-tf="1h"]').click();
      await until('1h loaded', async () => (await chartData(page))['timeframe'] === '1h' && Number((await chartData(page))['bars']) === 72);
      expect(Number((await chartData(page))['markers'])).toBe(TRADES);
      expect(await page.locator('#price-chart button[data-tf="1h"]').getAttribute('aria-pressed')).toBe('true');

      // a trade after the last closed minute: the chart's next refresh draws the forming candle, labelled
      const t = T0 + MINUTES * 60_000 + 20_000;
      await api.bus.publish(
        Streams.trades('BTCUSDT'),
        makeEnvelope({ type: MessageType.trade, id: 'forming-1', source: 'dashboard-test', tsEvent: t, tsInit: t, payload: { venue: 'SIMULATED', symbol: 'BTCUSDT', tradeId: 'f1', price: '95100.00', quantity: '0.2', time: t, isBuyerMaker: false } }),
        StreamRetention.trades,
      );
      const refreshes: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/chart?')) refreshes.push(r.url());
      });
      await until('forming candle', async () => (await chartData(page))['forming'] === 'true', 20_000, 200);
      // the periodic refresh asks only for the newest candles (fills come as live events)
      expect(refreshes.length).toBeGreaterThan(0);
      for (const u of refreshes) expect(u).toContain('live=1');
      expect(Number((await chartData(page))['markers'])).toBe(TRADES);
      expect(await page.locator('#price-chart .chart-legend').innerText()).toContain('(provisional)');
      await screenshot(page, 'strategy-chart-1h');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  it('draws equity and drawdown on a time axis with dates that spans the data, not twice it', async () => {
    const { page, context, errors } = await openPage(browser, { width: 1440, height: 900 });
    try {
      await page.goto(`${dash.url}/strategies/${ID}`);
      await until('equity chart', async () => (await page.locator('#equity-chart').getAttribute('data-points')) === '73', 20_000);
      for (const id of ['equity-chart', 'drawdown-chart']) {
        const r = await page.evaluate((el) => (document.getElementById(el) as unknown as { lineChart: { visibleRange(): { from: number; to: number } } }).lineChart.visibleRange(), id);
        // seconds on the chart's axis: exactly the three days of points
        expect(r.from * 1000, id).toBe(T0);
        expect(r.to * 1000, id).toBe(T0 + 72 * 3_600_000);
      }
      // the axis labels say the date where it changes (UTC), and the time within a day
      const labels = await page.evaluate((t0) => {
        const f = (window as unknown as { StrategyChart: { tickMark(t: number, type: number): string } }).StrategyChart.tickMark;
        return [f(t0 / 1000, 0), f(t0 / 1000, 1), f(t0 / 1000 + 86_400, 2), f(t0 / 1000 + 86_400 + 5_400, 3)];
      }, T0);
      expect(labels).toEqual(['2026', 'Jan 2026', 'Jan 3', '01:30']);
      await screenshot(page, 'strategy-equity-drawdown');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('follows the dark theme and the local time zone the header switches choose', async () => {
    const { page, context, errors } = await openPage(browser, { width: 1440, height: 900 });
    try {
      const url = new URL(dash.url);
      await context.addCookies([
        { name: 'theme', value: 'dark', domain: url.hostname, path: '/' },
        { name: 'tz', value: 'Asia/Tokyo', domain: url.hostname, path: '/' },
      ]);
      await page.goto(`${dash.url}/strategies/${ID}`);
      await until('chart loaded', async () => (await chartData(page))['ready'] === 'true', 20_000);
      const look = await page.evaluate(() => {
        const card = getComputedStyle(document.documentElement).getPropertyValue('--card').trim();
        const c = (document.getElementById('price-chart') as unknown as { strategyChart: { chart: { options(): { layout: { background: { color: string } } } } } }).strategyChart.chart;
        const e = (document.getElementById('equity-chart') as unknown as { lineChart: { chart: { options(): { layout: { background: { color: string } } } } } }).lineChart.chart;
        return { card, price: c.options().layout.background.color, equity: e.options().layout.background.color };
      });
      expect(look.card).not.toBe('#ffffff');
      expect(look).toEqual({ card: look.card, price: look.card, equity: look.card });
      // 2026-01-02 23:30 UTC is 08:30 on Jan 3 in Tokyo
      const labels = await page.evaluate((t) => {
        const f = (window as unknown as { StrategyChart: { tickMark(t: number, type: number): string } }).StrategyChart.tickMark;
        return [f(t, 2), f(t, 3)];
      }, (T0 + 23.5 * 3_600_000) / 1000);
      expect(labels).toEqual(['Jan 3', '08:30']);
      await screenshot(page, 'strategy-chart-dark-tokyo');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
