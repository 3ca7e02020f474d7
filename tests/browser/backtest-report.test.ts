/**
 * The HTML backtest report (`btc-research backtest --report`) draws with the dashboard's chart
 * code: candles with volume, indicator panes by kind, a marker for every fill, timeframes, zoom,
 * and equity and drawdown on dated time axes. Opened from the file, as a user would.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { MarketSimulator, MinuteCandleBuilder, type Candle } from '@btc-research/engine';
import { runCli } from '../../packages/cli/src/cli.js';
import { launchBrowser, openPage, screenshot, until } from './support/browser.js';

const repoRoot = resolve(import.meta.dirname, '..', '..');
const DAYS = 3;
let dir = '';
let browser: Browser;
let candles: Candle[] = [];
let fills = 0;
let reportFile = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-chart-'));
  const start = Date.UTC(2024, 2, 1);
  const sim = new MarketSimulator({ seed: 7, startTime: start, tradesPerMinute: 6 });
  const builder = new MinuteCandleBuilder();
  sim.advanceTo(start + DAYS * 86_400_000 + 60_000, (t) => {
    for (const c of builder.addTrade(t)) candles.push(c);
  });
  candles = candles.slice(0, DAYS * 1440);
  const csv = join(dir, 'klines.csv');
  await writeFile(csv, ['open_time,open,high,low,close,volume', ...candles.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume].join(','))].join('\n'));
  reportFile = join(dir, 'report.html');
  let out = '';
  const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s) }, cwd: dir };
  const config = join(repoRoot, 'config', 'demo-rsi-mean-reversion.yaml');
  expect(await runCli(['backtest', config, '--data', csv, '--report', reportFile], io), out).toBe(0);
  let json = '';
  await runCli(['backtest', config, '--data', csv, '--json'], { ...io, stdout: { write: (s: string) => (json += s) } });
  fills = (JSON.parse(json) as { fills: unknown[] }).fills.length;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const data = (page: Page, id: string): Promise<Record<string, string>> => page.evaluate((el) => ({ ...(document.getElementById(el) as HTMLElement).dataset }) as Record<string, string>, id);

describe('HTML backtest report', () => {
  it('has candles, indicator panes, a marker for every fill, timeframes and zoom, with no network', async () => {
    expect(fills).toBeGreaterThan(0);
    expect(await readFile(reportFile, 'utf8')).not.toMatch(/<script[^>]+src=/);
    const { page, context, errors } = await openPage(browser, { width: 1440, height: 900 });
    try {
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(reportFile).href);
      await until('chart ready', async () => (await data(page, 'price-chart'))['ready'] === 'true', 15_000);
      const d = await data(page, 'price-chart');
      // the strategy's entry timeframe (5m) over the three days, every fill marked with its tag
      expect(d['timeframe']).toBe('5m');
      expect(Number(d['bars'])).toBe((DAYS * 1440) / 5);
      expect(Number(d['markers'])).toBe(fills);
      expect(d['markerTags']).toContain('entry long');
      const kinds = await page.locator('#price-chart input[data-series]').evaluateAll((els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-series'), e.getAttribute('data-kind')])));
      expect(kinds).toMatchObject({ RSI_14: 'bounded', EMA_20: 'price', RSI_14_overbought: 'boolean' });
      // RSI in a pane of its own below price and volume
      expect(Number(d['panes'])).toBe(3);
      const lows = Math.min(...candles.map((c) => c.low));
      const range = await page.evaluate(() => (document.getElementById('price-chart') as unknown as { strategyChart: { priceRange(): { from: number; to: number } } }).strategyChart.priceRange());
      expect(range.from).toBeGreaterThan(lows * 0.8);

      // zoom with the mouse wheel: fewer bars in view
      const span = (): Promise<number> =>
        page.evaluate(() => {
          const r = (document.getElementById('price-chart') as unknown as { strategyChart: { chart: { timeScale(): { getVisibleLogicalRange(): { from: number; to: number } } } } }).strategyChart.chart.timeScale().getVisibleLogicalRange();
          return r.to - r.from;
        });
      const before = await span();
      const box = (await page.locator('#price-chart .chart-box').boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + 100);
      for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -300);
      await until('zoomed in', async () => (await span()) < before * 0.9, 5_000);

      // a larger timeframe from the same candles
      await page.locator('#price-chart button[data-tf="1h"]').click();
      await until('1h', async () => (await data(page, 'price-chart'))['timeframe'] === '1h');
      expect(Number((await data(page, 'price-chart'))['bars'])).toBe(DAYS * 24);
      expect(Number((await data(page, 'price-chart'))['markers'])).toBe(fills);

      // equity and drawdown on time axes that span the backtest
      for (const id of ['equity-chart', 'drawdown-chart']) {
        const e = await data(page, id);
        expect(Number(e['points']), id).toBeGreaterThan(100);
        expect(Number(e['firstTime']), id).toBeGreaterThanOrEqual(candles[0]!.openTime);
        expect(Number(e['lastTime']), id).toBeLessThanOrEqual(candles.at(-1)!.closeTime);
      }
      await screenshot(page, 'backtest-report');
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);
});
