import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTradingSetup } from '../kernel/trading-setup.js';
import { TradingCore, type CoreEvent, type CoreInput } from '../kernel/trading-core.js';
import { decodeRecordedInput, encodeRecordedInput } from '../market/recorded-input.js';
import { simulatedMarketInputs } from '../market/testing/simulated-market-inputs.js';
import type { Candle } from '../model/candle.js';
import { runBacktest } from './run-backtest.js';

const configDir = path.resolve(import.meta.dirname, '..', '..', '..', '..', 'config');
const EMA_CROSS = fs.readFileSync(path.join(configDir, 'demo-ema-cross.yaml'), 'utf8');
const RSI_MR = fs.readFileSync(path.join(configDir, 'demo-rsi-mean-reversion.yaml'), 'utf8');
/** the EMA cross with stops, a target and a partial exit: resting orders that fill on trades and books */
const RISKY_EMA = `${EMA_CROSS}
risk_management:
  stop_loss: { percent: 0.004 }
  take_profit: { percent: 0.008, partial_exits: [{ level: 0.003, percent: 0.5 }] }
`;
/** compat: legacy with an hourly trend filter on 5m bars (read by open time: the original's look-ahead); cash for its 1-BTC orders */
const LEGACY_HOURLY_TREND = `
name: "legacy RSI dips above the hourly trend"
symbol: "BTC/USDT"
compat: legacy
timeframes: { entry: "5m", trend: "1h" }
indicators:
  - { id: "RSI_7", type: "RSI", timeframe: "5m", length: 7 }
  - { id: "EMA_4", type: "EMA", timeframe: "1h", length: 4 }
logic:
  entry_long: ["RSI_7 < 45", "close > EMA_4"]
  exit_long: ["RSI_7 > 55"]
backtest: { cash: 1000000, commission: 0.001 }
`;

function setup(yaml: string) {
  const s = buildTradingSetup(yaml, 'strategy.yaml', { strategyId: 'replay', tradingStartTime: 0 });
  if (!s.ok) throw new Error(JSON.stringify(s.errors));
  return s;
}

const candlesOf = (inputs: readonly CoreInput[]): Candle[] => inputs.flatMap((x) => (x.kind === 'candle' ? [x.candle] : []));
const tradesOf = (events: readonly CoreEvent[]) => events.flatMap((e) => (e.type === 'trade' ? [e.trade] : []));

describe('runBacktest: one path for every input', () => {
  // a seeded session as the paper trader receives it, then as its market log holds it (JSON, decimal strings)
  const session = simulatedMarketInputs(2_400, 5);
  // two late deliveries the paper trader skips: a candle delivered again and a trade older than the last input
  const firstCandle = session.findIndex((x, i) => i > 1_000 && x.kind === 'candle');
  const oldTrade = session.find((x) => x.kind === 'trade')!;
  const inputs = [...session.slice(0, firstCandle + 1), session[firstCandle]!, oldTrade, ...session.slice(firstCandle + 1)];
  const records = JSON.parse(JSON.stringify(inputs.map(encodeRecordedInput))) as Array<{ kind: string; time: number; data: unknown }>;

  it.each([
    ['demo-ema-cross', EMA_CROSS],
    ['ema-cross with stops and targets', RISKY_EMA],
    ['demo-rsi-mean-reversion', RSI_MR],
  ])('%s: a recorded session (trades, books, candles) replays to exactly the events of a core stepped input by input', (_name, yaml) => {
    const stepped = setup(yaml);
    const core = new TradingCore(stepped.strategy, stepped.coreOptions);
    const expected = inputs.map((x) => core.onInput(x));

    const replay = setup(yaml);
    const seen: Array<{ kind: string; events: readonly CoreEvent[] }> = [];
    const result = runBacktest(replay.strategy, records.map(decodeRecordedInput), replay.coreOptions, {
      onEvents: (events, input) => seen.push({ kind: 'kind' in input ? input.kind : 'candle', events }),
    });

    expect(JSON.stringify(seen.flatMap((s) => s.events))).toBe(JSON.stringify(expected.flat()));
    expect([result.inputsProcessed, result.lateInputs, result.candlesProcessed]).toEqual([inputs.length - 2, 2, candlesOf(session).length]);
    expect(expected[firstCandle + 1]).toEqual([]); // the stepped core skipped the late pair too
    expect(expected[firstCandle + 2]).toEqual([]);
    expect(JSON.stringify(result.trades)).toBe(JSON.stringify(tradesOf(expected.flat())));
    expect(result.core.snapshot()).toEqual(core.snapshot());
    expect(result.core.summary()).toEqual(core.summary());
    // not a candle-only run in disguise: there are fills, some of them caused by trades or books
    expect(result.trades.length).toBeGreaterThan(2);
    expect(seen.filter((s) => s.kind === 'book').length).toBeGreaterThan(1_000);
    if (yaml === RISKY_EMA) expect(seen.some((s) => s.kind !== 'candle' && tradesOf(s.events).length > 0)).toBe(true);
  });

  it('bare candles stand for candle inputs: the same result either way', () => {
    const candles = candlesOf(session);
    const a = runBacktest(setup(RISKY_EMA).strategy, candles, setup(RISKY_EMA).coreOptions);
    const b = runBacktest(setup(RISKY_EMA).strategy, candles.map((candle): CoreInput => ({ kind: 'candle', candle })), setup(RISKY_EMA).coreOptions);
    expect(a.trades.length).toBeGreaterThan(2);
    expect(JSON.stringify(b.trades)).toBe(JSON.stringify(a.trades));
    expect(b.statistics).toEqual(a.statistics);
    expect(b.equityCurve).toEqual(a.equityCurve);
    expect(b.candlesProcessed).toBe(candles.length);
  });

  it('compat: legacy: the look-ahead is prepared from the input, as the CLI did by hand; incremental runs as paper trading', () => {
    const candles = candlesOf(session);
    // what the CLI did before the backtest path prepared it: prepareLookahead over the candles, then the core
    const byHand = setup(LEGACY_HOURLY_TREND);
    byHand.strategy.prepareLookahead(candles);
    const handCore = new TradingCore(byHand.strategy, byHand.coreOptions);
    const handEvents = inputs.flatMap((x) => handCore.onInput(x));

    const fromCode = setup(LEGACY_HOURLY_TREND);
    const events: CoreEvent[] = [];
    runBacktest(fromCode.strategy, records.map(decodeRecordedInput), fromCode.coreOptions, { onEvents: (e) => events.push(...e) });
    expect(fromCode.strategy.alignment).toBe('open-time');
    expect(JSON.stringify(events)).toBe(JSON.stringify(handEvents));
    expect(tradesOf(events).length).toBeGreaterThan(2);

    // incremental: nothing prepared, as a paper strategy runs; the same as a core stepped without look-ahead
    const paper = setup(LEGACY_HOURLY_TREND);
    const paperCore = new TradingCore(paper.strategy, paper.coreOptions);
    const paperEvents = inputs.flatMap((x) => paperCore.onInput(x));
    const incremental = setup(LEGACY_HOURLY_TREND);
    const incrementalEvents: CoreEvent[] = [];
    runBacktest(incremental.strategy, inputs, incremental.coreOptions, { legacyLookahead: 'incremental', onEvents: (e) => incrementalEvents.push(...e) });
    expect(incremental.strategy.alignment).toBe('close-time-fallback');
    expect(JSON.stringify(incrementalEvents)).toBe(JSON.stringify(paperEvents));
    // and the look-ahead changes what the strategy does
    expect(JSON.stringify(tradesOf(incrementalEvents))).not.toBe(JSON.stringify(tradesOf(events)));
  });
});
