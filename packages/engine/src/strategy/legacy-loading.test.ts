/**
 * What compat: legacy loads and decides that default mode does not, through buildTradingSetup and
 * the real TradingCore on hand-built 1m candles:
 * - rules naming columns that do not exist load (the original's pandas.eval raised on such a name
 *   and the original caught it: the rule is false), with one warning per unknown name;
 * - decisions are not gated by indicator warm-up (the original ran its per-bar routine on every bar);
 * - only the original's indicator types and parameters are accepted (it failed on anything else).
 */
import { describe, expect, it } from 'vitest';
import { buildTradingSetup } from '../kernel/trading-setup.js';
import { TradingCore, type CoreEvent } from '../kernel/trading-core.js';
import type { Candle } from '../model/candle.js';

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;
const bars = (closes: number[]): Candle[] =>
  closes.map((c, i) => ({ openTime: T0 + i * MIN, closeTime: T0 + (i + 1) * MIN, open: c, high: c, low: c, close: c, volume: 1 }));

const config = (indicators: string, logic: string) => `
name: legacy-loading
symbol: BTC/USDT
timeframes: { entry: "1m" }
indicators:
${indicators}
logic:
${logic}
backtest: { cash: 1000000, commission: 0.001, from: "2024-01-01", to: "2024-01-02" }
`;

function setup(yaml: string, compat: 'legacy' | 'default') {
  return buildTradingSetup(yaml, 'l.yaml', { strategyId: 'l', compat });
}

function run(yaml: string, candles: Candle[]) {
  const s = setup(yaml, 'legacy');
  if (!s.ok) throw new Error(s.errors.map((e) => e.message).join('\n'));
  const core = new TradingCore(s.strategy, s.coreOptions);
  const events: CoreEvent[] = [];
  for (const c of candles) events.push(...core.onMinuteCandle(c));
  return { setup: s, events, signals: events.flatMap((e) => (e.type === 'signal' ? [[e.signal, (e.time - T0) / MIN] as const] : [])) };
}

describe('rules naming unknown columns', () => {
  const yaml = config(
    '  - { id: EMA_Fast, type: EMA, timeframe: "1m", length: 3 }',
    `  entry_long: ["close > 0", "close > EMA_Fast"]
  exit_long: ["close > 0"]
  entry_short: ["close > 0", "EMA_Fast < EMA_Slow or close > 0"]
  exit_short: ["EMA_Slow != True"]`,
  );

  it('default mode refuses them with "did you mean", one error per use', () => {
    const s = setup(yaml, 'default');
    expect(s.ok).toBe(false);
    if (s.ok) return;
    expect(s.errors.map((e) => [e.code, e.found, e.line])).toEqual([
      ['UNKNOWN_NAME', 'EMA_Fast', 8],
      ['UNKNOWN_NAME', 'EMA_Fast', 10],
      ['UNKNOWN_NAME', 'EMA_Slow', 10],
      ['UNKNOWN_NAME', 'EMA_Slow', 11],
    ]);
    expect(s.errors[0]!.message).toContain('did you mean `EMA_Fast_EMA_3`');
  });

  it('compat: legacy loads them with one warning per unknown name, where it first appears, listing every rule', () => {
    const s = setup(yaml, 'legacy');
    if (!s.ok) throw new Error(s.errors.map((e) => e.message).join('\n'));
    const unknown = s.warnings.filter((w) => w.code === 'LEGACY_UNKNOWN_NAME');
    expect(unknown.map((w) => [w.found, w.line, w.column])).toEqual([
      ['EMA_Fast', 8, 38],
      ['EMA_Slow', 10, 42],
    ]);
    expect(unknown[0]!.message).toContain('in 2 rules: entry_long[1] "close > EMA_Fast", entry_short[1] "EMA_Fast < EMA_Slow or close > 0"');
    expect(unknown[0]!.message).toContain('did you mean `EMA_Fast_EMA_3`');
    expect(unknown[1]!.message).toContain('exit_short[0] "EMA_Slow != True"');
  });

  it('compat: legacy evaluates each rule naming one as false, even where the name sits in a branch that would not matter', () => {
    const { signals } = run(yaml, bars([100, 101, 102, 103]));
    // entry_long needs "close > EMA_Fast" (false) and entry_short's second rule names EMA_Slow
    // inside an `or` whose other side is true: pandas resolves every name before evaluating, so it
    // is false too. No entry ever.
    expect(signals).toEqual([]);
  });

  it('a list without unknown names still trades', () => {
    const y = yaml.replace('entry_long: ["close > 0", "close > EMA_Fast"]', 'entry_long: ["close > 0"]');
    const { signals } = run(y, bars([100, 101, 102, 103]));
    // enters at the first close, exits at the next (exit_long passes), and so on
    expect(signals).toEqual([
      ['entry_long', 1],
      ['exit_long', 2],
      ['entry_long', 3],
      ['exit_long', 4],
    ]);
  });
});

describe('warm-up', () => {
  // EMA(5) has no value for the first 4 bars; "EMA_5_trend != 'bull'" passes on a missing trend
  const yaml = config('  - { id: EMA_5, type: EMA, timeframe: "1m", length: 5 }', `  entry_long: ["close > 0", "EMA_5_trend != 'bull'"]\n  exit_long: ["close < 0"]`);
  const candles = bars([100, 100, 100, 100, 100, 100, 100]);

  it('compat: legacy decides from the first bar, on whatever values exist (a missing trend is not "bull")', () => {
    const { signals, setup: s } = run(yaml, candles);
    expect(signals).toEqual([['entry_long', 1]]);
    expect(s.ok && s.strategy.firstReadyAt).toBe(T0 + MIN);
    expect(s.ok && s.strategy.warmup.decidesDuringWarmup).toBe(true);
  });

  it('default mode waits for the EMA to be ready', () => {
    const s = buildTradingSetup(yaml, 'l.yaml', { strategyId: 'l', compat: 'default' });
    if (!s.ok) throw new Error('expected to load');
    const core = new TradingCore(s.strategy, s.coreOptions);
    const first = candles.map((c) => core.onMinuteCandle(c)).findIndex((ev) => ev.some((e) => e.type === 'signal'));
    expect(first).toBe(4); // the fifth bar: EMA(5) first defined
    expect(s.strategy.warmup.decidesDuringWarmup).toBe(false);
  });
});

describe("only the original's indicators in compat: legacy", () => {
  it('refuses an indicator type the original did not have, which default mode accepts', () => {
    const yaml = config('  - { id: SMA_20, type: SMA, timeframe: "1m", length: 20 }', '  entry_long: ["close > SMA_20"]');
    const legacy = setup(yaml, 'legacy');
    expect(legacy.ok ? [] : legacy.errors.map((e) => [e.code, e.found, e.line])).toEqual([['LEGACY_UNKNOWN_INDICATOR_TYPE', 'SMA', 6]]);
    expect(legacy.ok ? '' : legacy.errors[0]!.message).toContain('EMA, RSI, ADX, FVG, VolumeProfile, VPFVGSignal, RiskManagement');
    expect(setup(yaml, 'default').ok).toBe(true);
  });

  it("refuses a parameter this project added to an original indicator (EMA seed), once, and reports other unknown keys as usual", () => {
    const yaml = config('  - { id: EMA_20, type: EMA, timeframe: "1m", length: 20, seed: sma, period: 3 }', '  entry_long: ["close > EMA_20"]');
    const legacy = setup(yaml, 'legacy');
    const errors = legacy.ok ? [] : legacy.errors;
    expect(errors.map((e) => [e.code, e.found ?? null])).toEqual([
      ['INVALID_INDICATOR_PARAMS', 'seed'],
      ['INVALID_INDICATOR_PARAMS', null],
    ]);
    expect(errors[0]!.message).toContain('EMA of the original btc_research has no parameter "seed"');
    expect(errors[1]!.message).toContain('unknown parameter "period"');
    const def = setup(yaml.replace(', period: 3', ''), 'default');
    expect(def.ok).toBe(true);
  });
});

