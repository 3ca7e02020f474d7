/**
 * `btc-research backtest` end to end on 30 days of real BTCUSDT 1m candles (third-party data read in
 * place from ../shared/data/candles): the command line as a user runs it (bin/btc-research.mjs in a
 * child process), its statistics reconciled independently from the reported fills and the CSV,
 * and the HTML report opened in Chromium with the network blocked.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const shared = resolve(repoRoot, '..', 'shared');
const DATA = join(shared, 'data', 'candles', 'binance_spot_btcusdt_1m_2025-06-01_2025-07-01.csv');
const ORIGINAL_DEMO = join(shared, 'reference', 'btc_research-configs', 'demo__63f7ca3.yaml');
const CONFIG = join(repoRoot, 'config', 'demo-ema-cross.yaml');
const BIN = join(repoRoot, 'bin', 'btc-research.mjs');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const out = mkdtempSync(join(tmpdir(), 'btc-backtest-'));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The CSV read here without the engine's parser. */
function csvCandles(): Array<{ openTime: number; close: number }> {
  const lines = readFileSync(DATA, 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => {
    const c = l.split(',');
    return { openTime: Number(c[0]), close: Number(c[4]) };
  });
}

interface Fill { time: number; side: 'buy' | 'sell'; quantity: string; price: string; fee: string }
interface Report {
  strategy: { compat: string; alignment: string; entryTimeframe: string };
  period: { candles: number; firstReadyAt: number; tradingFrom: number | null };
  warmup: { totalMinutes: number; indicators: Array<{ id: string; minutes: number }> };
  statistics: Record<string, number>;
  legacy: Record<string, unknown>;
  roundTrips: Array<{ netPnl: number; fees: number; quantity: number; entryTime: number; exitTime: number }>;
  openPosition: { side: string; quantity: string } | null;
  fills: Fill[];
  series: { equity: Array<[number, number]>; drawdown: Array<[number, number]>; price: Array<[number, number]> };
}

describe('btc-research backtest on a real 30-day 1m file', () => {
  beforeAll(() => {
    if (!existsSync(DATA)) throw new Error(`real candles expected at ${DATA} (../shared next to the repository)`);
  });

  let text: { code: number; stdout: string; stderr: string };
  let json: Report;
  const html = join(out, 'report.html');

  beforeAll(async () => {
    text = await cli(['backtest', CONFIG, '--data', DATA, '--report', html]);
    const j = await cli(['backtest', CONFIG, '--data', DATA, '--json']);
    expect(j.code).toBe(0);
    json = JSON.parse(j.stdout) as Report;
  }, 120_000);

  it('prints the statistics, the warm-up and the trade list', () => {
    expect(text.code, text.stderr).toBe(0);
    for (const label of ['total return', 'CAGR', 'Sharpe', 'Sortino', 'Calmar', 'max drawdown', 'profit factor', 'win rate', 'expectancy', 'exposure', 'fees', 'round trips']) {
      expect(text.stdout).toMatch(new RegExp(`^${label}\\s`, 'm'));
    }
    expect(text.stdout).toContain('43208 candles 2025-06-01T17:23:00Z → 2025-07-01T17:31:00Z');
    // EMA(21) on 5m: (21 + 1) × 5 = 110 min
    expect(text.stdout).toContain('warm-up: 110 × 1m candles (22 × 5m bars) before the first signal, limited by EMA_21');
    expect(text.stdout).toMatch(/^trades \(\d+ round trips\)$/m);
    expect(text.stdout).toContain(`report written to ${html}`);
    const tradeLines = text.stdout.split('\n').filter((l) => /^ {2}\d+\s+(long|short)\s/.test(l));
    expect(tradeLines.length).toBe(json.roundTrips.length);
  });

  it('text and JSON runs agree (deterministic)', () => {
    const m = /^final equity\s+(-?\d+\.\d+)/m.exec(text.stdout);
    expect(Number(m?.[1])).toBeCloseTo(json.statistics['finalEquity']!, 2);
  });

  it('final equity reconciles with the fills and the last close of the CSV', () => {
    const candles = csvCandles();
    expect(json.period.candles).toBe(candles.length);
    let cash = json.statistics['initialEquity']!;
    let position = 0;
    let fees = 0;
    for (const f of json.fills) {
      const q = Number(f.quantity);
      const notional = q * Number(f.price);
      cash += f.side === 'buy' ? -notional : notional;
      cash -= Number(f.fee);
      fees += Number(f.fee);
      position += f.side === 'buy' ? q : -q;
    }
    const lastClose = candles[candles.length - 1]!.close;
    const equity = cash + position * lastClose;
    expect(Math.abs(equity - json.statistics['finalEquity']!)).toBeLessThan(1e-6 * equity);
    expect(Math.abs(fees - json.statistics['feesPaid']!)).toBeLessThan(1e-6);
    expect(json.statistics['totalReturn']).toBeCloseTo(json.statistics['finalEquity']! / json.statistics['initialEquity']! - 1, 12);
    // the open position is what the fills leave
    expect(json.openPosition === null ? 0 : Number(json.openPosition.quantity) * (json.openPosition.side === 'long' ? 1 : -1)).toBeCloseTo(position, 8);
  });

  it('round trips: counts, win rate, profit factor and expectancy follow from the trade list', () => {
    const t = json.roundTrips;
    expect(json.statistics['closedTrades']).toBe(t.length);
    expect(t.length).toBeGreaterThan(10);
    const wins = t.filter((x) => x.netPnl > 0);
    const grossWin = wins.reduce((a, x) => a + x.netPnl, 0);
    const grossLoss = -t.filter((x) => x.netPnl <= 0).reduce((a, x) => a + x.netPnl, 0);
    expect(json.statistics['winRate']).toBeCloseTo(wins.length / t.length, 12);
    expect(json.statistics['profitFactor']).toBeCloseTo(grossWin / grossLoss, 9);
    expect(json.statistics['expectancy']).toBeCloseTo((grossWin - grossLoss) / t.length, 9);
    for (const x of t) expect(x.exitTime).toBeGreaterThan(x.entryTime);
  });

  it('no order before every indicator is ready', () => {
    expect(json.fills[0]!.time).toBeGreaterThan(json.period.firstReadyAt);
    // data starts 17:23; EMA(21) on 5m needs 21 closed 5m bars: the 17:20 bar (partial) is the first → ready at 19:05
    expect(new Date(json.period.firstReadyAt).toISOString()).toBe('2025-06-01T19:05:00.000Z');
  });

  it('the equity series ends at the final equity and the drawdown series reaches the max drawdown', () => {
    const eq = json.series.equity;
    expect(eq.length).toBeLessThanOrEqual(2001);
    expect(eq[eq.length - 1]![1]).toBeCloseTo(json.statistics['finalEquity']!, 6);
    const worst = Math.min(...json.series.drawdown.map((d) => d[1]));
    expect(-worst).toBeCloseTo(json.statistics['maxDrawdown']!, 9);
  });

  it('--from/--to trade only inside the window; earlier candles only warm up', async () => {
    const r = await cli(['backtest', CONFIG, '--data', DATA, '--from', '2025-06-10', '--to', '2025-06-20', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as Report;
    const from = Date.UTC(2025, 5, 10);
    const to = Date.UTC(2025, 5, 20);
    expect(rep.fills.length).toBeGreaterThan(0);
    for (const f of rep.fills) {
      expect(f.time).toBeGreaterThan(from);
      expect(f.time).toBeLessThanOrEqual(to + 60_000);
    }
    // warm-up candles before --from were fed: the strategy is ready at the first bar of the window
    expect(rep.period.firstReadyAt).toBeLessThanOrEqual(from);
    expect(rep.period.candles).toBe((to - from) / 60_000 + 110);
  });

  it('compat legacy on an original config: open-time alignment, 1-unit orders, no slippage, the original statistics block', async () => {
    const r = await cli(['backtest', ORIGINAL_DEMO, '--data', DATA, '--compat', 'legacy', '--cash', '200000', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as Report & { legacy: { num_trades: number; total_return: number; sharpe_kind: string } };
    expect(rep.strategy.compat).toBe('legacy');
    expect(rep.strategy.alignment).toBe('open-time');
    expect(rep.fills.length).toBeGreaterThan(0);
    for (const f of rep.fills) expect(f.quantity).toBe('1');
    // market orders fill at the open of the next 1m candle, exactly (no slippage, no spread)
    const opens = new Map(readFileSync(DATA, 'utf8').trim().split('\n').slice(1).map((l) => [Number(l.split(',')[0]), Number(l.split(',')[1])] as const));
    for (const f of rep.fills) expect(Number(f.price)).toBe(opens.get(Math.floor(f.time / 60_000) * 60_000));
    expect(rep.legacy.num_trades).toBe(rep.roundTrips.length + (rep.openPosition ? 1 : 0));
    expect(rep.legacy.total_return).toBeCloseTo(rep.statistics['totalReturn']!, 9);
    expect(rep.legacy.sharpe_kind).toBe('normalised annual return'); // 30 days: one calendar year
    // and at the original's 10 000 cash, 1-BTC longs are rejected (compat §6.4): no trades, only rejections
    const poor = await cli(['backtest', ORIGINAL_DEMO, '--data', DATA, '--compat', 'legacy', '--json']);
    const p = JSON.parse(poor.stdout) as Report & { rejections: unknown[] };
    expect(p.fills).toHaveLength(0);
    expect(p.rejections.length).toBeGreaterThan(0);
  });

  it('indicators: every column per entry bar; EMA(21) on 5m agrees with TA-Lib past warm-up', async () => {
    const csv = join(out, 'columns.csv');
    const r = await cli(['indicators', CONFIG, '--data', DATA, '--out', csv]);
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    const header = rows[0]!.split(',');
    expect(header).toEqual(['open_time', 'close_time', 'ready', 'open', 'high', 'low', 'close', 'volume', 'EMA_9', 'EMA_9_trend', 'EMA_21', 'EMA_21_trend']);
    // 5m bars built here independently from the CSV (closes of each 5-minute bucket)
    const closes = new Map<number, number>();
    for (const c of csvCandles()) closes.set(Math.floor(c.openTime / 300_000) * 300_000, c.close);
    const buckets = [...closes.keys()].sort((a, b) => a - b);
    // the last bucket is partial (no 1m candle closes it) and is not written
    expect(rows.length - 1).toBe(buckets.length - 1);
    const talib = createRequire(import.meta.url)('talib') as { execute(p: Record<string, unknown>): { begIndex: number; result: { outReal: number[] } } };
    const series = buckets.map((b) => closes.get(b)!);
    const ema = talib.execute({ name: 'EMA', startIdx: 0, endIdx: series.length - 1, inReal: series, optInTimePeriod: 21 });
    const col = header.indexOf('EMA_21');
    let compared = 0;
    for (let i = 500; i < rows.length - 1; i += 97) {
      const cells = rows[i + 1]!.split(',');
      expect(Date.parse(cells[0]!)).toBe(buckets[i]);
      const expected = ema.result.outReal[i - ema.begIndex]!;
      expect(Math.abs(Number(cells[col]) - expected) / expected).toBeLessThan(1e-9);
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });

  describe('the HTML report', () => {
    let browser: Awaited<ReturnType<typeof chromium.launch>>;
    beforeAll(async () => {
      if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('is one self-contained file: the chart library inlined, no external script, style or fetch', () => {
      const page = readFileSync(html, 'utf8');
      expect(page).toMatch(/TradingView Lightweight Charts™ v\d+\.\d+\.\d+/);
      expect(page).not.toMatch(/<script[^>]+src=/i);
      expect(page).not.toMatch(/<link[^>]+href=/i);
      expect(page).not.toMatch(/https?:\/\/cdn/i);
    });

    it('renders price with trade markers, equity and drawdown with the network blocked, without errors', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      await context.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file://')) return route.continue();
        requests.push(url);
        return route.abort();
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${html}`);
      // the dashboard's chart code: candles with a marker for every fill, equity and drawdown over the run
      const dataset = (id: string): Promise<Record<string, string>> => page.evaluate((el) => ({ ...(document.getElementById(el) as HTMLElement).dataset }) as Record<string, string>, id);
      for (let i = 0; i < 150 && (await dataset('price-chart'))['ready'] !== 'true'; i++) await new Promise((r) => setTimeout(r, 100));
      const price = await dataset('price-chart');
      expect(price['ready']).toBe('true');
      expect(Number(price['markers'])).toBe(json.fills.length);
      expect(Number(price['bars'])).toBeGreaterThan(0);
      for (const id of ['equity-chart', 'drawdown-chart']) {
        const d = await dataset(id);
        expect(Number(d['points']), id).toBeGreaterThan(100);
        expect(Number(d['lastTime']) - Number(d['firstTime']), id).toBeGreaterThan(25 * 86_400_000);
      }
      expect(await page.locator('table').last().locator('tr').count()).toBe(json.roundTrips.length + 1);
      const dir = join(repoRoot, 'test-results', 'screenshots');
      mkdirSync(dir, { recursive: true });
      await page.screenshot({ path: join(dir, 'backtest-report.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await context.close();
    });
  });
});
