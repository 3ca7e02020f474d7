/**
 * Engine figures for `pnpm bench` (run from scripts/bench.ts as the "engine-extra" part):
 *  (c) memory of 1,000 candles × 7 timeframes of buffers (target ≤ 2 MB), the typed-array
 *      CandleRingBuffer next to a plain array of candle objects for comparison;
 *  (a) where backtest time goes: the strategy alone (aggregation, 3 indicators, rules) against the
 *      full backtest (TradingCore + simulated exchange + ledger) over the same 525,600 1m candles,
 *      in default and in compat: legacy (open-time look-ahead precomputed) mode.
 *  (b) the per-closed-candle step of a 7-indicator strategy (EMA, RSI, SMA, ATR, MACD, Bollinger,
 *      Stochastic; rules evaluated) against recomputing technicalindicators' batch functions over a
 *      1,000-candle window (target ≥ 1,000× faster) and against trading-signals' incremental update
 *      of the same indicators (target: no slower than 1.5× it), measured in the same run.
 *  (d) a recorded session (trades, books, candles in the market log's form) replayed through the
 *      backtest path, next to its candles alone.
 * The headline (a) figure (≥ 1,000,000 candles/s) is measured by scripts/bench.ts itself.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { buildTradingSetup, decodeRecordedInput, encodeRecordedInput, runBacktest, SeededRng, type Candle, type CoreInput } from '@btc-research/engine';
import ti from 'technicalindicators';
import { ATR, BollingerBands, EMA, MACD, RSI, SMA, StochasticOscillator } from 'trading-signals';
import { CandleRingBuffer } from '../src/candles/candle-ring-buffer.js';
import { simulatedMarketInputs } from '../src/market/testing/simulated-market-inputs.js';
import { TimeframeFeed } from '../src/strategy/timeframe-feed.js';
import { EMA_RSI_ADX_BENCH_STRATEGY } from './bench-strategy.js';

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

const STRATEGY = EMA_RSI_ADX_BENCH_STRATEGY;

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
    runBacktest(s.strategy, candles, s.coreOptions); // prepares the look-ahead from the candles
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

const SEVEN = `
name: "bench 7 indicators"
symbol: "BTC/USDT"
timeframes: { entry: "1m" }
indicators:
  - { id: "EMA_20", type: "EMA", timeframe: "1m", length: 20 }
  - { id: "RSI_14", type: "RSI", timeframe: "1m", length: 14 }
  - { id: "SMA_50", type: "SMA", timeframe: "1m", length: 50 }
  - { id: "ATR_14", type: "ATR", timeframe: "1m", length: 14 }
  - { id: "MACD", type: "MACD", timeframe: "1m", fast_period: 12, slow_period: 26, signal_period: 9 }
  - { id: "BB", type: "BollingerBands", timeframe: "1m", length: 20, std_dev_up: 2, std_dev_down: 2 }
  - { id: "STOCH", type: "Stochastic", timeframe: "1m", fastk_period: 14, slowk_period: 3, slowd_period: 3 }
logic:
  entry_long: ["EMA_20 > SMA_50", "RSI_14 < 70", "ATR_14 > 0"]
  exit_long: ["RSI_14 > 80"]
backtest: { cash: 10000, commission: 0.001 }
`;

function indicatorStepBench(): Record<string, unknown> {
  const WINDOW = 1000;
  const candles = randomWalk(WINDOW + 200_000, 5);
  const steps = candles.length - WINDOW;

  // ours: the compiled strategy's step per closed candle (7 updates, readiness, rules)
  let oursMs = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 5; r++) {
    const s = buildTradingSetup(SEVEN, 'seven.yaml', { strategyId: 'seven' });
    if (!s.ok) throw new Error(s.errors.map((e) => e.message).join('; '));
    const st = s.strategy;
    for (let i = 0; i < WINDOW; i++) st.onCandle('1m', candles[i]!);
    const t0 = performance.now();
    for (let i = WINDOW; i < candles.length; i++) {
      st.onCandle('1m', candles[i]!);
      if (st.isReady()) st.decide('flat');
    }
    oursMs = Math.min(oursMs, performance.now() - t0);
  }
  const oursNs = (oursMs * 1e6) / steps;

  // trading-signals: the same seven indicators, incremental
  let tsMs = Number.POSITIVE_INFINITY;
  for (let r = 0; r < 5; r++) {
    const ema = new EMA(20);
    const rsi = new RSI(14);
    const sma = new SMA(50);
    const atr = new ATR(14);
    const macd = new MACD(new EMA(12), new EMA(26), new EMA(9));
    const bb = new BollingerBands(20, 2);
    const stoch = new StochasticOscillator({ kPeriod: 14, dPeriod: 3, kSlowingPeriod: 3 });
    const step = (c: Candle) => {
      ema.update(c.close, false);
      rsi.update(c.close, false);
      sma.update(c.close, false);
      atr.update(c, false);
      macd.update(c.close, false);
      bb.update(c.close, false);
      stoch.update(c, false);
    };
    for (let i = 0; i < WINDOW; i++) step(candles[i]!);
    const t0 = performance.now();
    for (let i = WINDOW; i < candles.length; i++) step(candles[i]!);
    tsMs = Math.min(tsMs, performance.now() - t0);
  }
  const tsNs = (tsMs * 1e6) / steps;

  // technicalindicators: recompute the batch functions over the last 1,000 candles at every close
  const batchSteps = 300;
  let tiMs = Number.POSITIVE_INFINITY;
  let sink = 0;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let k = 0; k < batchSteps; k++) {
      const w = candles.slice(k, k + WINDOW);
      const close = w.map((c) => c.close);
      const high = w.map((c) => c.high);
      const low = w.map((c) => c.low);
      sink += ti.EMA.calculate({ period: 20, values: close }).length;
      sink += ti.RSI.calculate({ period: 14, values: close }).length;
      sink += ti.SMA.calculate({ period: 50, values: close }).length;
      sink += ti.ATR.calculate({ period: 14, high, low, close }).length;
      sink += ti.MACD.calculate({ values: close, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false }).length;
      sink += ti.BollingerBands.calculate({ period: 20, stdDev: 2, values: close }).length;
      sink += ti.Stochastic.calculate({ period: 14, signalPeriod: 3, high, low, close }).length;
    }
    tiMs = Math.min(tiMs, performance.now() - t0);
  }
  const tiNs = (tiMs * 1e6) / batchSteps;
  const result = {
    indicators: 7,
    window: WINDOW,
    oursNsPerCandle: Math.round(oursNs),
    tradingSignalsNsPerCandle: Math.round(tsNs),
    technicalindicatorsBatchNsPerCandle: Math.round(tiNs),
    speedupVsBatch: Math.round(tiNs / oursNs),
    ratioToTradingSignals: Math.round((oursNs / tsNs) * 100) / 100,
    targets: { speedupVsBatch: '>= 1000', ratioToTradingSignals: '<= 1.5' },
    met: tiNs / oursNs >= 1000 && oursNs / tsNs <= 1.5,
    checksum: sink,
  };
  console.log(
    `engine 7-indicator step: ours ${result.oursNsPerCandle} ns/candle; technicalindicators batch over 1,000 candles ${result.technicalindicatorsBatchNsPerCandle.toLocaleString('en-US')} ns ` +
      `(${result.speedupVsBatch.toLocaleString('en-US')}× faster, target ≥ 1,000×); trading-signals incremental ${result.tradingSignalsNsPerCandle} ns (ours = ${result.ratioToTradingSignals}×, target ≤ 1.5×) ${result.met ? 'MET' : 'NOT MET'}`,
  );
  return result;
}
/**
 * (d) replaying a recorded session through the backtest path, as a parity check or a reconciliation
 * does: a week of the simulator's trades, books and candles in the market log's JSON form, decoded
 * (decodeRecordedInput) and run (runBacktest), against the candles alone.
 */
function recordedReplayBench(): Record<string, unknown> {
  const days = 7;
  const session = simulatedMarketInputs(days * 1440, 13);
  const json = JSON.stringify(session.map(encodeRecordedInput));
  const candles = session.flatMap((x) => (x.kind === 'candle' ? [x.candle] : []));
  let decoded: CoreInput[] = [];
  const decode = best(3, () => {
    decoded = (JSON.parse(json) as Array<{ kind: string; time: number; data: unknown }>).map(decodeRecordedInput);
  });
  let trades = 0;
  const run = best(3, () => {
    const s = setup();
    trades = runBacktest(s.strategy, decoded, s.coreOptions).trades.length;
  });
  const candleOnly = best(3, () => {
    const s = setup();
    runBacktest(s.strategy, candles, s.coreOptions);
  });
  const perSecond = (ms: number) => Math.round(session.length / (ms / 1000));
  const daysPerSecond = (ms: number) => Math.round((days / (ms / 1000)) * 10) / 10;
  const result = {
    days,
    inputs: session.length,
    candles: candles.length,
    trades,
    decodeInputsPerSecond: perSecond(decode),
    backtestInputsPerSecond: perSecond(run),
    replayMarketDaysPerSecond: daysPerSecond(decode + run),
    candleOnlyMarketDaysPerSecond: daysPerSecond(candleOnly),
  };
  console.log(
    `engine recorded-session replay (EMA+RSI+ADX, ${days} days: ${session.length.toLocaleString('en-US')} inputs = 12 trades/min, books, candles): ` +
      `JSON parse + decode ${result.decodeInputsPerSecond.toLocaleString('en-US')} inputs/s, backtest ${result.backtestInputsPerSecond.toLocaleString('en-US')} inputs/s; ` +
      `${result.replayMarketDaysPerSecond} market days/s in all (the candles alone: ${result.candleOnlyMarketDaysPerSecond} market days/s)`,
  );
  return result;
}

export async function runEngineBench(): Promise<Record<string, unknown>> {
  return { memory: memoryBench(), indicatorStep: indicatorStepBench(), throughput: throughputBreakdown(), recordedReplay: recordedReplayBench() };
}
