/**
 * The command line in-process over the project's own demo configs and seeded simulator candles
 * (no ../shared needed): exit codes, messages, the backtest report and the indicators CSV.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MarketSimulator, MinuteCandleBuilder, buildBacktestReport, buildTradingSetup, runBacktest, type Candle } from '@btc-research/engine';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'btc-cli-'));
const EMA_CROSS = join(repoRoot, 'config', 'demo-ema-cross.yaml');
const RSI_MR = join(repoRoot, 'config', 'demo-rsi-mean-reversion.yaml');

async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: dir });
  return { code, stdout, stderr };
}

function simulated(days: number): Candle[] {
  const start = Date.UTC(2024, 2, 1);
  const sim = new MarketSimulator({ seed: 7, startTime: start, tradesPerMinute: 6 });
  const b = new MinuteCandleBuilder();
  const out: Candle[] = [];
  sim.advanceTo(start + days * 86_400_000 + 60_000, (t) => {
    for (const c of b.addTrade(t)) out.push(c);
  });
  return out.slice(0, days * 1440);
}

let candles: Candle[];
const csv12 = join(dir, 'klines-12col.csv');
const csv6 = join(dir, 'klines-6col.csv');
const hourly = join(dir, 'klines-1h.csv');

beforeAll(() => {
  candles = simulated(3);
  // the Binance archive layout (12 columns, no header) and the 6-column layout with a header
  writeFileSync(csv12, candles.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume, c.closeTime - 1, 0, 0, 0, 0, 0].join(',')).join('\n'));
  writeFileSync(csv6, ['open_time,open,high,low,close,volume', ...candles.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume].join(','))].join('\n'));
  writeFileSync(hourly, candles.filter((c) => c.openTime % 3_600_000 === 0).map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume].join(',')).join('\n'));
});

describe('btc-research validate', () => {
  it('exit 0 for the demo configs, with the warm-up per indicator', async () => {
    const r = await cli('validate', EMA_CROSS, RSI_MR);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 files: 2 valid, 0 invalid');
    // EMA(20) on 15m: (20 + 1) × 15 = 315 min, plus RSI_14[1]: one 5m bar
    expect(r.stdout).toContain('warm-up: 320 × 1m candles (64 × 5m bars) before the first signal, limited by EMA_20');
    expect(r.stdout).toContain('lag x[k]: up to 1 5m bars = 5 min');
  });

  it('exit 1 with file:line:column and the feature named; exit 2 on usage errors', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(EMA_CROSS, 'utf8').replace('"EMA_9 > EMA_21"', '"EMA_9 > EMA_Slow"'));
    const r = await cli('validate', bad);
    expect(r.code).toBe(1);
    const line = readFileSync(bad, 'utf8').split('\n').findIndex((l) => l.includes('EMA_Slow')) + 1;
    expect(r.stderr).toContain(`${bad}:${line}:`);
    expect(r.stderr).toMatch(/UNKNOWN_NAME .*`EMA_Slow`/);
    expect(r.stderr).toContain('INVALID — 1 error: UNKNOWN_NAME ×1 (rules read names that are not columns');
    expect((await cli('validate')).code).toBe(2);
    expect((await cli('validate', '--compat', 'old', EMA_CROSS)).code).toBe(2);
    expect((await cli('validate', join(dir, 'missing.yaml'))).stderr).toContain('cannot read');
  });

  it('--json gives the machine-readable result; --compat legacy changes the exit combinator', async () => {
    const r = await cli('validate', '--json', '--compat', 'legacy', EMA_CROSS);
    const j = JSON.parse(r.stdout) as { results: Array<{ summary: { compat: string; rules: Record<string, { mode: string }> } }> };
    expect(j.results[0]!.summary.compat).toBe('legacy');
    expect(j.results[0]!.summary.rules['exit_long']!.mode).toBe('all');
    const d = JSON.parse((await cli('validate', '--json', EMA_CROSS)).stdout) as typeof j;
    expect(d.results[0]!.summary.rules['exit_long']!.mode).toBe('any');
  });
});

/** compat: legacy reading a 15m EMA from 5m bars: the original's open-time look-ahead */
const LEGACY_MTF = `name: "legacy mtf"
symbol: "BTC/USDT"
timeframes: { entry: "5m" }
compat: legacy
indicators:
  - { id: "EMA_9", type: "EMA", timeframe: "5m", length: 9 }
  - { id: "EMA_3", type: "EMA", timeframe: "15m", length: 3 }
logic:
  entry_long: ["EMA_9 > EMA_3"]
  exit_long: ["EMA_9 < EMA_3"]
backtest: { cash: 1000000, commission: 0.001, slippage: 0.0005 }
`;

/** JSON as the CLI writes it (±Infinity and NaN as strings), for comparing a report built in code with its output */
const asCliJson = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity') : v)));

describe('btc-research backtest', () => {
  it('reads both CSV layouts identically and reconciles equity from its fills', async () => {
    const a = await cli('backtest', EMA_CROSS, '--data', csv12, '--json');
    const b = await cli('backtest', EMA_CROSS, '--data', csv6, '--json');
    expect(a.code, a.stderr).toBe(0);
    const ja = JSON.parse(a.stdout) as { statistics: Record<string, number>; fills: Array<{ side: string; quantity: string; price: string; fee: string }>; period: { candles: number } };
    const jb = JSON.parse(b.stdout) as typeof ja;
    expect(jb.statistics).toEqual(ja.statistics);
    expect(ja.period.candles).toBe(candles.length);
    expect(ja.fills.length).toBeGreaterThan(2);
    let cash = 10_000;
    let pos = 0;
    for (const f of ja.fills) {
      const q = Number(f.quantity);
      cash += (f.side === 'buy' ? -1 : 1) * q * Number(f.price) - Number(f.fee);
      pos += f.side === 'buy' ? q : -q;
    }
    const equity = cash + pos * candles[candles.length - 1]!.close;
    expect(Math.abs(equity - ja.statistics['finalEquity']!)).toBeLessThan(1e-6 * equity);
  });

  it('writes a self-contained HTML report; a strategy name cannot inject markup', async () => {
    const evil = join(dir, 'evil.yaml');
    writeFileSync(evil, readFileSync(EMA_CROSS, 'utf8').replace('name: "Demo EMA Cross"', 'name: "x</script><script>alert(1)</script>"'));
    const out = join(dir, 'out', 'report.html');
    const r = await cli('backtest', evil, '--data', csv6, '--report', out);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    // the dashboard's chart code, inlined: lightweight-charts and the shared strategy chart
    expect(html).toContain('window.StrategyChart');
    expect(html).toContain('LightweightCharts');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('x&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script[^>]+src=/);
    for (const id of ['price-chart', 'equity-chart', 'drawdown-chart']) expect(html).toContain(`id="${id}"`);
  });

  it('--compat legacy: open-time alignment, 1-unit orders at the next open, the original statistics printed', async () => {
    const mtf = join(dir, 'mtf.yaml');
    writeFileSync(mtf, LEGACY_MTF);
    const r = await cli('backtest', mtf, '--data', csv6, '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { strategy: { alignment: string }; fills: Array<{ time: number; quantity: string; price: string }> };
    expect(j.strategy.alignment).toBe('open-time');
    expect(j.fills.length).toBeGreaterThan(0);
    const opens = new Map(candles.map((c) => [c.openTime, c.open]));
    for (const f of j.fills) {
      expect(f.quantity).toBe('1');
      expect(Number(f.price)).toBe(opens.get(Math.floor(f.time / 60_000) * 60_000));
    }
    const text = await cli('backtest', mtf, '--data', csv6);
    expect(text.stdout).toContain('original statistics (compat §6.7, Backtrader definitions)');
    expect(text.stdout).toMatch(/num_trades \d+/);
  });

  it.each([[[] as string[]], [['--from', '2024-03-02', '--to', '2024-03-03T12:00:00Z']]])('runBacktest called from code gives the CLI result for a legacy config (look-ahead prepared by the backtest path) %j', async (range) => {
    const mtf = join(dir, 'mtf-code.yaml');
    writeFileSync(mtf, LEGACY_MTF);
    const r = await cli('backtest', mtf, '--data', csv6, '--json', ...range);
    expect(r.code, r.stderr).toBe(0);
    const fromCli = JSON.parse(r.stdout) as Record<string, unknown>;
    // from code: the same setup and the same candles (warm-up before --from included), nothing prepared by hand
    const from = range.length > 0 ? Date.parse(range[1]!) : undefined;
    const to = range.length > 0 ? Date.parse(range[3]!) : undefined;
    const setup = buildTradingSetup(LEGACY_MTF, 'mtf-code.yaml', { strategyId: 'backtest', ...(from !== undefined ? { tradingStartTime: from } : {}) });
    if (!setup.ok) throw new Error('setup');
    const warmupMs = setup.strategy.warmup.totalMinutes * 60_000;
    const selected = candles.filter((c) => (from === undefined || c.openTime >= from - warmupMs) && (to === undefined || c.closeTime <= to));
    const result = runBacktest(setup.strategy, selected, setup.coreOptions);
    const report = buildBacktestReport({ file: 'mtf-code.yaml', variant: undefined, strategy: setup.strategy, candles: selected, result, tradingFrom: from });
    expect(report.strategy.alignment).toBe('open-time');
    expect(report.fills.length).toBeGreaterThan(2);
    const { strategy: _s, ...same } = asCliJson(report) as Record<string, unknown>;
    for (const [key, value] of Object.entries(same)) expect(fromCli[key], key).toEqual(value);
    expect((fromCli['strategy'] as { alignment: string }).alignment).toBe('open-time');
  });

  it('refuses data coarser than the strategy reads, and bad options', async () => {
    const r = await cli('backtest', EMA_CROSS, '--data', hourly);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('candles are 60 min apart, but the strategy reads 5m');
    expect((await cli('backtest', EMA_CROSS)).code).toBe(2);
    expect((await cli('backtest', EMA_CROSS, '--data', csv6, '--from', 'yesterday')).code).toBe(2);
    expect((await cli('backtest', EMA_CROSS, '--data', csv6, '--from', '2024-03-02', '--to', '2024-03-01')).code).toBe(2);
    expect((await cli('backtest', EMA_CROSS, '--data', csv6, '--from', '2025-01-01')).stderr).toContain('no candles between');
  });

  it('--from: earlier candles only warm up; the first order follows --from', async () => {
    const from = Date.UTC(2024, 2, 2);
    const r = await cli('backtest', EMA_CROSS, '--data', csv6, '--from', '2024-03-02', '--json');
    const j = JSON.parse(r.stdout) as { fills: Array<{ time: number }>; period: { firstReadyAt: number; candles: number } };
    expect(j.fills[0]!.time).toBeGreaterThan(from);
    expect(j.period.firstReadyAt).toBeLessThanOrEqual(from);
    expect(j.period.candles).toBe(2 * 1440 + 110); // two days plus the 110-minute warm-up
  });
});

describe('btc-research indicators', () => {
  it('writes every column per closed entry bar, with readiness', async () => {
    const out = join(dir, 'cols.csv');
    const r = await cli('indicators', RSI_MR, '--data', csv6, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(out, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('open_time,close_time,ready,open,high,low,close,volume,RSI_14,RSI_14_overbought,RSI_14_oversold,EMA_20,EMA_20_trend');
    expect(rows.length - 1).toBe((3 * 1440) / 5);
    // the 5m close equals the close of the bar's last 1m candle
    const byOpen = new Map(candles.map((c) => [c.openTime, c]));
    const row = rows[100]!.split(',');
    expect(Number(row[6])).toBe(byOpen.get(Date.parse(row[0]!) + 4 * 60_000)!.close);
    // not ready until EMA(20) on 15m has 20 closed bars (05:00) and RSI_14[1] one more 5m bar
    const firstReady = rows.findIndex((l) => l.split(',')[2] === 'true');
    expect(rows[firstReady]!.split(',')[1]).toBe('2024-03-01T05:05:00.000Z');
    expect((await cli('indicators', RSI_MR, '--data', csv6)).code).toBe(2);
  });

  it('compat: legacy: a 15m column is read by open time, from the final close of the 15m candle in progress', async () => {
    const mtf = join(dir, 'mtf-cols.yaml');
    writeFileSync(mtf, LEGACY_MTF);
    const out = join(dir, 'mtf-cols.csv');
    const r = await cli('indicators', mtf, '--data', csv6, '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('higher timeframes aligned by open-time');
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n').map((l) => l.split(','));
    const column = header!.indexOf('EMA_3');
    // the 15m candles of the whole file, built here by grouping, and TA-Lib's EMA(3) of their closes
    const buckets = new Map<number, Candle[]>();
    for (const c of candles) {
      const k = Math.floor(c.openTime / 900_000);
      buckets.set(k, [...(buckets.get(k) ?? []), c]);
    }
    // the original's EMA(3) of their closes (compat §2.1: E₀ = C₀, Eₜ = Eₜ₋₁ + α(Cₜ − Eₜ₋₁), α = 2/4; missing for the first 2)
    const closes = [...buckets.values()].map((m) => m.at(-1)!.close);
    const series: number[] = [];
    for (const c of closes) series.push(series.length === 0 ? c : series.at(-1)! + 0.5 * (c - series.at(-1)!));
    const ema = (k: number) => (k >= 2 ? series[k]! : null);
    let compared = 0;
    for (const row of rows) {
      const expected = ema(Math.floor(Date.parse(row[0]!) / 900_000) - Math.floor(candles[0]!.openTime / 900_000));
      if (expected === null) expect(row[column]).toBe('');
      else {
        expect(Number(row[column])).toBeCloseTo(expected, 6);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(800);
  });
});
