/**
 * Through buildTradingSetup and the real TradingCore, with hand-built 1m candles (entry timeframe
 * 1m, rules on the candle close):
 * - both entry lists passing on one bar (compat §6.1 steps 3–4, §11 #9);
 * - the short cash check of compat: legacy (compat §6.4);
 * - equity protection in both modes (compat §6.6, §11 #11).
 */
import { describe, expect, it } from 'vitest';
import type { Candle } from '../model/candle.js';
import { buildTradingSetup } from './trading-setup.js';
import { TradingCore, type CoreEvent } from './trading-core.js';

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;
/** 1m candle i with the given open and close (high/low span both) */
const bar = (i: number, open: number, close: number): Candle => ({ openTime: T0 + i * MIN, closeTime: T0 + (i + 1) * MIN, open, high: Math.max(open, close), low: Math.min(open, close), close, volume: 1 });

function run(yaml: string, candles: Candle[], compat: 'legacy' | 'default') {
  const setup = buildTradingSetup(yaml, 't.yaml', { strategyId: 't', compat });
  if (!setup.ok) throw new Error(setup.errors.map((e) => e.message).join('\n'));
  const core = new TradingCore(setup.strategy, setup.coreOptions);
  const events: CoreEvent[] = [];
  for (const c of candles) events.push(...core.onMinuteCandle(c));
  return { core, events };
}
const trades = (events: CoreEvent[]) => events.flatMap((e) => (e.type === 'trade' ? [e.trade] : []));
const submitted = (events: CoreEvent[]) => events.flatMap((e) => (e.type === 'order' && e.change === 'submitted' ? [e.order] : []));
const signals = (events: CoreEvent[]) => events.flatMap((e) => (e.type === 'signal' ? [e.signal] : []));
const protection = (events: CoreEvent[]) => events.flatMap((e) => (e.type === 'equity-protection' ? [[e.change, e.time] as const] : []));

const BOTH_YAML = (cash: number) => `
name: both
symbol: BTC/USDT
timeframes: { entry: "1m" }
indicators: []
logic:
  entry_long: ["close >= 100"]
  entry_short: ["close >= 100"]
  exit_long: ["close < 0"]
  exit_short: ["close < 0"]
backtest: { cash: ${cash}, commission: 0.001, from: "2024-01-01", to: "2024-01-02" }
`;

describe('long and short entry on the same bar', () => {
  const candles = [bar(0, 100, 100), bar(1, 100, 99)]; // both entries pass at the first close only

  it('compat: legacy submits both; both fill at the next open, net to zero and pay two commissions', () => {
    const { core, events } = run(BOTH_YAML(1_000_000), candles, 'legacy');
    expect(signals(events)).toEqual(['entry_long', 'entry_short']);
    expect(submitted(events).map((o) => [o.side, o.quantity, o.reason])).toEqual([
      ['buy', '1', 'entry_long'],
      ['sell', '1', 'entry_short'],
    ]);
    const t = trades(events);
    expect(t.map((x) => [x.side, x.quantity.toFixed(), x.price.toFixed(), x.fee.toFixed()]).sort()).toEqual([
      ['buy', '1', '100', '0.1'],
      ['sell', '1', '100', '0.1'],
    ]);
    expect(core.ledger.quantity.isZero()).toBe(true);
    expect(core.ledger.cash.toFixed()).toBe('999999.8');
  });

  it('compat: legacy never refuses a short for cash: with cash below the price the long is rejected and the short fills', () => {
    const { core, events } = run(BOTH_YAML(50), candles, 'legacy');
    expect(signals(events)).toEqual(['entry_long', 'entry_short']);
    expect(events.some((e) => e.type === 'order-rejected' && e.reason === 'INSUFFICIENT_BALANCE')).toBe(true);
    expect(trades(events).map((x) => [x.side, x.reason])).toEqual([['sell', 'entry_short']]);
    expect(core.ledger.quantity.toFixed()).toBe('-1');
  });

  it('default mode takes the long only (long first, the short is skipped)', () => {
    const { core, events } = run(BOTH_YAML(1_000_000), candles, 'default');
    expect(signals(events)).toEqual(['entry_long']);
    expect(submitted(events).map((o) => o.side)).toEqual(['buy']);
    expect(trades(events).map((x) => x.side)).toEqual(['buy']);
    expect(core.ledger.quantity.isPositive()).toBe(true);
  });
});

const PROTECT_YAML = (window: number) => `
name: protect
symbol: BTC/USDT
timeframes: { entry: "1m" }
indicators: []
logic:
  entry_long: ["close >= 500"]
  exit_long: ["close > 100000"]
backtest: { cash: 1000, commission: 0, from: "2024-01-01", to: "2024-01-02" }
equity_protection: { enabled: true, drawdown_threshold: 0.1, smoothing_window: ${window} }
`;

describe('equity protection', () => {
  it('compat: legacy closes the position at the threshold and suspends trading for good (compat §6.6)', () => {
    const candles = [bar(0, 500, 500), bar(1, 500, 500), bar(2, 500, 380), bar(3, 380, 500), bar(4, 500, 500), bar(5, 500, 600)];
    const { core, events } = run(PROTECT_YAML(1), candles, 'legacy');
    // 1 BTC bought at 500; at 380 equity is 880: drawdown 12 % ≥ 10 %
    expect(protection(events)).toEqual([['triggered', T0 + 3 * MIN]]);
    const ev = events.find((e) => e.type === 'equity-protection');
    expect(ev).toMatchObject({ mode: 'suspend', equity: 880, peak: 1000, threshold: 0.1 });
    expect(trades(events).map((x) => [x.side, x.price.toFixed(), x.reason])).toEqual([
      ['buy', '500', 'entry_long'],
      ['sell', '380', 'equity_protection'],
    ]);
    // the entry rule passes again at 500 and 600, but nothing is decided while suspended
    expect(signals(events)).toEqual(['entry_long']);
    expect(core.ledger.quantity.isZero()).toBe(true);
    expect(core.protectionState()).toMatchObject({ active: true, mode: 'suspend' });
  });

  it('default mode closes the position and blocks new entries while the drawdown is at or over the threshold', () => {
    const candles = [bar(0, 500, 500), bar(1, 500, 500), bar(2, 500, 380), bar(3, 380, 500), bar(4, 500, 500)];
    const { core, events } = run(PROTECT_YAML(1), candles, 'default');
    expect(protection(events)).toEqual([['triggered', T0 + 3 * MIN]]);
    expect(events.find((e) => e.type === 'equity-protection')).toMatchObject({ mode: 'block-entries' });
    expect(trades(events).map((x) => [x.side, x.reason])).toEqual([
      ['buy', 'entry_long'],
      ['sell', 'equity_protection'],
    ]);
    expect(signals(events)).toEqual(['entry_long']);
    expect(core.ledger.quantity.isZero()).toBe(true);
  });

  it('lifts once the smoothed drawdown falls back under the threshold, and entries resume (default mode)', () => {
    // smoothing_window 3: the drop to 300 pulls the average down 12.7 %; the close fills after a gap back to 500
    const candles = [bar(0, 500, 500), bar(1, 500, 500), bar(2, 500, 500), bar(3, 500, 300), bar(4, 500, 500), bar(5, 500, 500)];
    const { events } = run(PROTECT_YAML(3), candles, 'default');
    expect(protection(events)).toEqual([
      ['triggered', T0 + 4 * MIN],
      ['lifted', T0 + 5 * MIN],
    ]);
    expect(trades(events).map((x) => x.reason)).toEqual(['entry_long', 'equity_protection', 'entry_long']);
    // the second entry is decided on the bar where protection lifted, after the lift event
    const lifted = events.findIndex((e) => e.type === 'equity-protection' && e.change === 'lifted');
    const secondEntry = events.findIndex((e, i) => i > lifted && e.type === 'signal');
    expect(secondEntry).toBeGreaterThan(lifted);
  });

  it('changes nothing when disabled', () => {
    const candles = [bar(0, 500, 500), bar(1, 500, 500), bar(2, 500, 380), bar(3, 380, 500)];
    const yaml = PROTECT_YAML(1).replace('enabled: true', 'enabled: false');
    const { core, events } = run(yaml, candles, 'legacy');
    expect(protection(events)).toEqual([]);
    expect(trades(events).map((x) => x.reason)).toEqual(['entry_long']);
    expect(core.protectionState()).toBeNull();
  });
});
