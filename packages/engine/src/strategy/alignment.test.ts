/**
 * Multi-timeframe alignment through the real TradingCore, with hand-built candles whose values name
 * the minute they come from: 1m candle i (from 2024-01-01 00:00 UTC) has O=H=L=C = 100 + i, so an
 * EMA(1) on 1h (= the hour's close) equals 100 + the index of the last minute it has seen.
 */
import { describe, expect, it } from 'vitest';
import type { Candle } from '../model/candle.js';
import type { IndicatorValue } from '../indicators/indicator.js';
import { buildTradingSetup } from '../kernel/trading-setup.js';
import { TradingCore } from '../kernel/trading-core.js';
import type { PositionSide, Signal, StrategyLogic } from './strategy-logic.js';
import type { CompiledStrategy } from './compiled-strategy.js';

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;
const minutes = (n: number): Candle[] =>
  Array.from({ length: n }, (_, i) => ({ openTime: T0 + i * MIN, closeTime: T0 + (i + 1) * MIN, open: 100 + i, high: 100 + i, low: 100 + i, close: 100 + i, volume: 1 }));

const ALIGN_YAML = (compat: string) => `
name: align
symbol: BTC/USDT
timeframes: { entry: "15m" }
${compat ? `compat: ${compat}` : ''}
indicators:
  - { id: H, type: EMA, timeframe: "1h", length: 1 }
logic:
  entry_long: ["H_EMA_1 > 0"]
backtest: { cash: 10000, commission: 0.001, from: "2024-01-01", to: "2024-01-02" }
`;

/** Wraps the compiled strategy: records what the rules could read at every decision TradingCore asks for. */
class Recorder implements StrategyLogic {
  readonly seen: Array<{ time: number; values: Record<string, IndicatorValue> }> = [];
  private lastClose = 0;
  constructor(private readonly inner: CompiledStrategy) {}
  get name() {
    return this.inner.name;
  }
  get entryTimeframe() {
    return this.inner.entryTimeframe;
  }
  get timeframes() {
    return this.inner.timeframes;
  }
  get warmupMinutes() {
    return this.inner.warmupMinutes;
  }
  get incompleteCandles() {
    return this.inner.incompleteCandles;
  }
  onCandle(tf: Parameters<StrategyLogic['onCandle']>[0], c: Candle): void {
    if (tf === this.inner.entryTimeframe) this.lastClose = c.closeTime;
    this.inner.onCandle(tf, c);
  }
  isReady(): boolean {
    return this.inner.isReady();
  }
  decide(_position: PositionSide): Signal | null {
    this.seen.push({ time: this.lastClose, values: this.inner.columns() });
    return null; // never trade: TradingCore then asks at every entry close
  }
  columns() {
    return this.inner.columns();
  }
}

function run(yaml: string, candles: Candle[], prepare: boolean, compat?: 'legacy' | 'default') {
  const setup = buildTradingSetup(yaml, 'align.yaml', { strategyId: 'align', ...(compat ? { compat } : {}) });
  if (!setup.ok) throw new Error(setup.errors.map((e) => e.message).join('\n'));
  if (prepare) setup.strategy.prepareLookahead(candles);
  const rec = new Recorder(setup.strategy);
  const core = new TradingCore(rec, setup.coreOptions);
  for (const c of candles) core.onMinuteCandle(c);
  return { strategy: setup.strategy, seen: rec.seen };
}

/** close time of the minute whose close is v (v = 100 + index) */
const closeTimeOfValue = (v: number) => T0 + (v - 100 + 1) * MIN;
const at = (h: number, m: number) => T0 + h * 3_600_000 + m * MIN;

describe('higher-timeframe alignment', () => {
  const candles = minutes(6 * 60); // six hours

  it('default: a 1h value is never read before its candle has closed', () => {
    const { strategy, seen } = run(ALIGN_YAML(''), candles, false);
    expect(strategy.alignment).toBe('close-time');
    expect(seen.length).toBeGreaterThan(0);
    for (const { time, values } of seen) {
      const v = values['H_EMA_1'] as number;
      expect(closeTimeOfValue(v)).toBeLessThanOrEqual(time);
    }
    // hand-computed: first decision at 01:00 (the 00:00 hour closed then), reading minute 59
    expect(seen[0]).toEqual({ time: at(1, 0), values: expect.objectContaining({ H_EMA_1: 159 }) });
    const byTime = new Map(seen.map((s) => [s.time, s.values['H_EMA_1']]));
    expect(byTime.get(at(1, 15))).toBe(159);
    expect(byTime.get(at(1, 45))).toBe(159);
    expect(byTime.get(at(2, 0))).toBe(219); // hour 01:00–02:00 closed at 02:00: minute 119
    expect(byTime.get(at(2, 30))).toBe(219);
  });

  it('legacy: the entry bar reads the 1h candle in progress (forward fill by open time), values from its final close', () => {
    const { strategy, seen } = run(ALIGN_YAML('legacy'), candles, true);
    expect(strategy.alignment).toBe('open-time');
    expect(strategy.alignmentWarning).toBeNull();
    const byTime = new Map(seen.map((s) => [s.time, s.values['H_EMA_1']]));
    // entry bar 00:00–00:15 (decided at 00:15) gets the 00:00 hour, which ends with minute 59
    expect(seen[0]!.time).toBe(at(0, 15));
    expect(byTime.get(at(0, 15))).toBe(159);
    expect(byTime.get(at(1, 0))).toBe(159); // entry bar opened 00:45: still the 00:00 row
    expect(byTime.get(at(1, 15))).toBe(219); // entry bar opened 01:00: the 01:00 row (minute 119)
    expect(byTime.get(at(2, 30))).toBe(279);
    // and it does read the future: some decision sees a minute that closes after the decision
    const leaks = seen.filter(({ time, values }) => closeTimeOfValue(values['H_EMA_1'] as number) > time);
    expect(leaks.length).toBe(seen.length - 6); // all but the six bars that close an hour
  });

  it('legacy: the last, partial higher-timeframe bucket is a row too (as the original data feed returns it)', () => {
    const short = minutes(60 + 30); // 01:00 hour has only 30 minutes
    const { seen } = run(ALIGN_YAML('legacy'), short, true);
    const byTime = new Map(seen.map((s) => [s.time, s.values['H_EMA_1']]));
    expect(byTime.get(at(1, 15))).toBe(189); // minute 89 is the last one of the data
  });

  it('legacy without the precomputed series (paper trading) falls back to close-time alignment and says so', () => {
    const legacy = run(ALIGN_YAML('legacy'), candles, false);
    const normal = run(ALIGN_YAML(''), candles, false);
    expect(legacy.strategy.alignment).toBe('close-time-fallback');
    expect(legacy.strategy.alignmentWarning).toMatch(/close-time alignment/);
    // legacy decides from the first entry bar (no warm-up gate): before the first hour has closed
    // its rules read null; from then on it sees what default mode sees
    const first = normal.seen[0]!.time;
    expect(legacy.seen.filter((s) => s.time < first).map((s) => [s.time, s.values['H_EMA_1']])).toEqual([
      [at(0, 15), null],
      [at(0, 30), null],
      [at(0, 45), null],
    ]);
    expect(legacy.seen.filter((s) => s.time >= first)).toEqual(normal.seen);
  });

  it('--compat legacy on the command line overrides the config, and default configs refuse prepareLookahead', () => {
    const viaFlag = run(ALIGN_YAML(''), candles, true, 'legacy');
    expect(viaFlag.strategy.alignment).toBe('open-time');
    const setup = buildTradingSetup(ALIGN_YAML(''), 'align.yaml', { strategyId: 'x' });
    if (!setup.ok) throw new Error('setup');
    expect(() => setup.strategy.prepareLookahead(candles)).toThrow(/only compat: legacy/);
  });
});

describe('incomplete_candles: higher-timeframe buckets with missing minutes', () => {
  // six hours with minutes 70..99 (01:10–01:39) missing: the 01:00 hour has 30 of its 60 minutes
  const gap = minutes(6 * 60).filter((_, i) => i < 70 || i >= 100);
  const yaml = (mode: string) => ALIGN_YAML('').replace('indicators:', `${mode ? `incomplete_candles: ${mode}\n` : ''}indicators:`);

  it('keep (default): the partial hour is a candle of the minutes present, read once it has closed', () => {
    for (const mode of ['', 'keep']) {
      const { strategy, seen } = run(yaml(mode), gap, false);
      expect(strategy.incompleteCandles).toBe('keep');
      const byTime = new Map(seen.map((s) => [s.time, s.values['H_EMA_1']]));
      expect(byTime.get(at(2, 0))).toBe(219); // the 01:00 hour ends with minute 119
    }
  });

  it('skip: the partial hour never becomes a candle; the rules keep reading the 00:00 hour until 03:00', () => {
    const { strategy, seen } = run(yaml('skip'), gap, false);
    expect(strategy.incompleteCandles).toBe('skip');
    const byTime = new Map(seen.map((s) => [s.time, s.values['H_EMA_1']]));
    expect(byTime.get(at(2, 0))).toBe(159);
    expect(byTime.get(at(2, 45))).toBe(159);
    expect(byTime.get(at(3, 0))).toBe(279);
  });

  it('skip applies to the legacy look-ahead series too, and a wrong value is an error', () => {
    const legacy = run(yaml('skip'), gap, true, 'legacy');
    const byTime = new Map(legacy.seen.map((s) => [s.time, s.values['H_EMA_1']]));
    // the incomplete 15m entry bars of the gap (01:00, 01:30) are skipped as well; the entry bar
    // opening at 01:45 reads the last row opened before it, which is the 00:00 hour (01:00 is no row)
    expect(byTime.has(at(1, 15))).toBe(false);
    expect(byTime.has(at(1, 45))).toBe(false);
    expect(byTime.get(at(2, 0))).toBe(159);
    expect(byTime.get(at(2, 15))).toBe(279);
    const bad = buildTradingSetup(yaml('drop'), 'align.yaml', { strategyId: 'x' });
    expect(bad.ok ? [] : bad.errors.map((e) => e.path)).toEqual(['incomplete_candles']);
  });
});

const WARMUP_YAML = `
name: warmup
symbol: BTC/USDT
timeframes: { entry: "15m" }
indicators:
  - { id: EF, type: EMA, timeframe: "15m", length: 5 }
  - { id: R3, type: RSI, timeframe: "1h", length: 3 }
  - { id: SLOW, type: EMA, timeframe: "1h", length: 50 }
logic:
  entry_long: ["EF_EMA_5 > 0", "R3_RSI_3 >= 0"]
  exit_long: ["close[2] > 0"]
backtest: { cash: 10000, commission: 0.001, from: "2024-01-01", to: "2024-01-02" }
`;

describe('warm-up', () => {
  it('reports the history each indicator needs and the total, from the config', () => {
    const setup = buildTradingSetup(WARMUP_YAML, 'w.yaml', { strategyId: 'w' });
    if (!setup.ok) throw new Error(setup.errors.map((e) => e.message).join('\n'));
    const w = setup.strategy.warmup;
    // hand-computed: EMA(5) on 15m = 5 bars → (5+1)×15 = 90 min; RSI(3) on 1h = 3 bars → 4×60 = 240;
    // EMA(50) on 1h is read by no rule; lag close[2] adds 2 × 15 min.
    expect(w.indicators.map((e) => [e.id, e.bars, e.minutes, e.readByRules, e.gatesSignals])).toEqual([
      ["EF", 5, 90, true, true],
      ['R3', 3, 240, true, true],
      ['SLOW', 50, 3060, false, false],
    ]);
    expect(w.lagBars).toBe(2);
    expect(w.totalMinutes).toBe(240 + 30);
    expect(w.totalEntryBars).toBe(18);
    expect(w.limitedBy).toBe('R3');
    expect(setup.strategy.warmupMinutes).toBe(270);
  });

  it('isReady: no signal before every indicator the rules read is ready and the largest lag is filled; unread indicators do not delay', () => {
    const setup = buildTradingSetup(WARMUP_YAML, 'w.yaml', { strategyId: 'w' });
    if (!setup.ok) throw new Error('setup');
    const rec = new Recorder(setup.strategy);
    const core = new TradingCore(rec, setup.coreOptions);
    const readyAt: number[] = [];
    for (const c of minutes(8 * 60)) {
      core.onMinuteCandle(c);
      if ((c.closeTime - T0) % (15 * MIN) === 0 && setup.strategy.isReady()) readyAt.push(c.closeTime);
    }
    // RSI(3) on 1h is ready after three hourly candles (03:00); EF after five 15m bars (01:15);
    // then close[2] needs two more entry bars: 03:30. SLOW (EMA 50 on 1h) never gets ready here.
    expect(readyAt[0]).toBe(at(3, 30));
    expect(rec.seen[0]!.time).toBe(at(3, 30));
    expect(rec.seen[0]!.values['SLOW_EMA_50']).toBeNull();
    // no decision was asked for before that
    expect(rec.seen.every((s) => s.time >= at(3, 30))).toBe(true);
  });
});
