/**
 * Engine figures for `pnpm bench` (run from scripts/bench.ts as the "engine-extra" part):
 *  (c) memory of 1,000 candles × 7 timeframes of buffers (target ≤ 2 MB), the typed-array
 *      CandleRingBuffer next to a plain array of candle objects for comparison;
 *  (a) where backtest time goes: the strategy alone (aggregation, 3 indicators, rules) against the
 *      full backtest (TradingCore + simulated exchange + ledger) over the same 525,600 1m candles,
 *      in default and in compat: legacy (open-time look-ahead precomputed) mode.
 * The headline (a) figure (≥ 1,000,000 candles/s) is measured by scripts/bench.ts itself.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { buildTradingSetup, runBacktest, SeededRng, type Candle } from '@btc-research/engine';
import { CandleRingBuffer } from '../src/candles/candle-ring-buffer.js';
import { TimeframeFeed } from '../src/strategy/timeframe-feed.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const TIMEFRAMES = ['1m', '5m', '15m', '30m', '1h', '4h', '1d'];

function randomWalk(count: number, seed: number): Candle[] {
  const rng = new SeededRng(seed);
  const start = Date.UTC(2024, 0, 1);
  const out: Candle[] = new Array(count);
  let price = 42_000;
  for (let i = 0; i < count; i++) {
    const open = price;
    const path = [open];
    for (let k = 0; k < 4; k++) {
      price *= 1 + (rng.next() - 0.5) * 0.002;
      path.push(price);
    }
    out[i] = { openTime: start + i * 60_000, closeTime: start + (i + 1) * 60_000, open, high: Math.max(...path), low: Math.min(...path), close: price, volume: 1 + rng.next() * 20 };
  }
  return out;
}

function used(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function memoryBench(): Record<string, unknown> {
  const source = randomWalk(1000, 3);
  const before = used();
  const rings = TIMEFRAMES.map(() => new CandleRingBuffer(1000));
  for (const r of rings) for (const c of source) r.push({ ...c });
  const afterRings = used();
  const ringBytes = afterRings - before;
  // the same history as arrays of candle objects (what a naive buffer keeps)
  const arrays = TIMEFRAMES.map(() => source.map((c) => ({ ...c, close: c.close + 1e-9 })));
  const afterArrays = used();
  const arrayBytes = afterArrays - afterRings;
  const keep = [rings.length, arrays.length]; // keep both alive until measured
  const mb = (b: number) => Math.round((b / 1_048_576) * 1000) / 1000;
  const result = {
    candles: 1000,
    timeframes: TIMEFRAMES.length,
    ringBufferMB: mb(ringBytes),
    ringBufferColumnsMB: mb(rings.reduce((a, r) => a + r.byteLength, 0)),
    objectArraysMB: mb(arrayBytes),
    target: '<= 2 MB',
    met: Math.max(ringBytes, rings.reduce((a, r) => a + r.byteLength, 0)) <= 2 * 1_048_576,
    kept: keep.length,
  };
  console.log(
    `engine buffers (1,000 candles × 7 timeframes): CandleRingBuffer ${result.ringBufferColumnsMB} MB of columns (heap + array-buffer growth measured ${result.ringBufferMB} MB; target ≤ 2 MB) ${result.met ? 'MET' : 'NOT MET'}; the same as arrays of candle objects: ${result.objectArraysMB} MB`,
  );
  return result;
}

const STRATEGY = `
name: "bench EMA+RSI+ADX"
symbol: "BTC/USDT"
timeframes: { entry: "15m" }
indicators:
  - { id: "EMA_50", type: "EMA", timeframe: "15m", length: 50 }
  - { id: "RSI_14", type: "RSI", timeframe: "15m", length: 14 }
  - { id: "ADX_14", type: "ADX", timeframe: "1h", period: 14 }
logic:
  entry_long: ["close > EMA_50", "RSI_14 < 45", "ADX_14_ADX_value > 20"]
  exit_long: ["RSI_14 > 65"]
  entry_short: ["close < EMA_50", "RSI_14 > 55", "ADX_14_ADX_value > 20"]
  exit_short: ["RSI_14 < 35"]
backtest: { cash: 10000, commission: 0.001, slippage: 0.0005 }
`;

function best(runs: number, fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return Math.min(...times);
}

function setup(compat?: 'legacy') {
  const s = buildTradingSetup(STRATEGY, 'bench.yaml', { strategyId: 'bench', ...(compat ? { compat } : {}) });
  if (!s.ok) throw new Error(s.errors.map((e) => e.message).join('; '));
  return s;
}

function throughputBreakdown(): Record<string, unknown> {
  const candles = randomWalk(525_600, 11);
  const perSecond = (ms: number) => Math.round(candles.length / (ms / 1000));
  let decisions = 0;
  const strategyOnly = best(3, () => {
    const s = setup();
    decisions = 0;
    const feed = new TimeframeFeed(s.strategy);
    for (const c of candles) if (feed.add(c) !== null && s.strategy.isReady() && s.strategy.decide('flat') !== null) decisions++;
  });
  let trades = 0;
  const full = best(3, () => {
    const s = setup();
    trades = runBacktest(s.strategy, candles, s.coreOptions).trades.length;
  });
  const legacy = best(3, () => {
    const s = setup('legacy');
    s.strategy.prepareLookahead(candles);
    runBacktest(s.strategy, candles, s.coreOptions);
  });
  const result = {
    candles: candles.length,
    strategyOnlyCandlesPerSecond: perSecond(strategyOnly),
    fullBacktestCandlesPerSecond: perSecond(full),
    legacyBacktestCandlesPerSecond: perSecond(legacy),
    trades,
    strategyOnlyEntrySignals: decisions,
    strategyShareOfBacktestTime: Math.round((strategyOnly / full) * 1000) / 1000,
  };
  console.log(
    `engine backtest breakdown (EMA+RSI+ADX, ${candles.length} × 1m): strategy alone ${result.strategyOnlyCandlesPerSecond.toLocaleString('en-US')} candles/s; ` +
      `full backtest ${result.fullBacktestCandlesPerSecond.toLocaleString('en-US')} candles/s (strategy = ${(result.strategyShareOfBacktestTime * 100).toFixed(0)} % of it); ` +
      `compat legacy ${result.legacyBacktestCandlesPerSecond.toLocaleString('en-US')} candles/s`,
  );
  return result;
}

export async function runEngineBench(): Promise<Record<string, unknown>> {
  return { memory: memoryBench(), throughput: throughputBreakdown() };
}
