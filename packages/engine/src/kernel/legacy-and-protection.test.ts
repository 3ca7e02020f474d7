/**
 * Through buildTradingSetup and the real TradingCore, with hand-built 1m candles (entry timeframe
 * 1m, rules on the candle close):
 * - both entry lists passing on one bar (compat §6.1 steps 3–4, §11 #9);
 * - the cash checks of compat: legacy, Backtrader's broker (compat §6.4): each bar's orders checked
 *   in sequence against a running cash figure at the decision close, short-closing buys included,
 *   and the opening part checked again at the fill;
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
const rejections = (events: CoreEvent[]) => {
  const reasonOf = new Map(events.flatMap((e) => (e.type === 'order' ? [[e.order.orderId, e.order.reason] as const] : [])));
  return events.flatMap((e) => (e.type === 'order-rejected' ? [[reasonOf.get(e.orderId), e.reason] as const] : []));
};
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

  it('compat: legacy with cash below the price: the long is rejected, and the short, checked after it, fills', () => {
    // running cash: 50 − 100 − 0.1 = −50.1 (long refused, not given back); the short closes the
    // pseudo-position: −50.1 + 100 − 0.1 = 49.8 ≥ 0
    const { core, events } = run(BOTH_YAML(50), candles, 'legacy');
    expect(signals(events)).toEqual(['entry_long', 'entry_short']);
    expect(rejections(events)).toEqual([['entry_long', 'INSUFFICIENT_BALANCE']]);
    expect(trades(events).map((x) => [x.side, x.reason])).toEqual([['sell', 'entry_short']]);
    expect(core.ledger.quantity.toFixed()).toBe('-1');
  });

  it("compat: legacy does not give a refused long's deduction back: with very little cash the short is refused too", () => {
    // 0.15 − 100.1 = −99.95 (long refused); −99.95 + 100 − 0.1 = −0.05 < 0 (short refused). Were the
    // long's deduction given back, the short would have passed: 0.15 + 100 − 0.1 ≥ 0.
    const { core, events } = run(BOTH_YAML(0.15), candles, 'legacy');
    expect(signals(events)).toEqual(['entry_long', 'entry_short']);
    expect(rejections(events)).toEqual([
      ['entry_long', 'INSUFFICIENT_BALANCE'],
      ['entry_short', 'INSUFFICIENT_BALANCE'],
    ]);
    expect(trades(events)).toEqual([]);
    expect(core.ledger.quantity.isZero()).toBe(true);
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

const SHORT_YAML = `
name: short
symbol: BTC/USDT
timeframes: { entry: "1m" }
indicators: []
logic:
  entry_short: ["close == 100"]
  exit_short: ["close != 100"]
backtest: { cash: 50, commission: 0.001, from: "2024-01-01", to: "2024-01-02" }
`;

describe("compat: legacy checks a short's closing buy as Backtrader's broker does", () => {
  // short 1 at 100 (cash 50 + 100 − 0.1 = 149.9); at 200 buying back needs 200.2; at 140 it needs 140.14
  const candles = [bar(0, 100, 100), bar(1, 100, 200), bar(2, 200, 140), bar(3, 140, 150)];

  it('refuses it while the cash does not cover it, keeps the short, and takes it once it does', () => {
    const { core, events } = run(SHORT_YAML, candles, 'legacy');
    expect(signals(events)).toEqual(['entry_short', 'exit_short', 'exit_short']);
    expect(rejections(events)).toEqual([['exit_short', 'INSUFFICIENT_BALANCE']]);
    const refused = events.find((e) => e.type === 'order-rejected');
    expect(refused?.type === 'order-rejected' && refused.message).toContain('would be -50.3 USDT');
    expect(trades(events).map((x) => [x.side, x.price.toFixed(), x.reason])).toEqual([
      ['sell', '100', 'entry_short'],
      ['buy', '140', 'exit_short'],
    ]);
    expect(core.ledger.quantity.isZero()).toBe(true);
    expect(core.ledger.cash.toFixed()).toBe('9.76');
  });

  it('default mode never refuses the closing buy (reduce-only): the short closes at the first exit', () => {
    const { core, events } = run(SHORT_YAML, candles, 'default');
    expect(rejections(events)).toEqual([]);
    // (default mode fills with its modelled spread and slippage: prices near 100 and 200)
    expect(trades(events).map((x) => [x.side, Math.round(x.price.toNumber()), x.reason])).toEqual([
      ['sell', 100, 'entry_short'],
      ['buy', 200, 'exit_short'],
    ]);
    expect(core.ledger.quantity.isZero()).toBe(true);
  });
});

describe('compat: legacy checks the opening part again at the fill (Backtrader executes at the next open)', () => {
  const yaml = `
name: gap
symbol: BTC/USDT
timeframes: { entry: "1m" }
indicators: []
logic:
  entry_long: ["close == 100"]
  exit_long: ["close < 0"]
backtest: { cash: 101, commission: 0.001, from: "2024-01-01", to: "2024-01-02" }
`;

  it('accepts a long on the close (101 − 100.1 ≥ 0) and refuses it when the next open gaps to 105', () => {
    const { core, events } = run(yaml, [bar(0, 100, 100), bar(1, 105, 105)], 'legacy');
    expect(signals(events)).toEqual(['entry_long']);
    expect(events.some((e) => e.type === 'order' && e.change === 'accepted')).toBe(true);
    const refused = events.filter((e) => e.type === 'order-rejected');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.type === 'order-rejected' && refused[0].message).toContain("Backtrader's execution check");
    expect(trades(events)).toEqual([]);
    expect(core.ledger.cash.toFixed()).toBe('101');
  });

  it('fills it when the open does not gap', () => {
    const { core, events } = run(yaml, [bar(0, 100, 100), bar(1, 100, 100)], 'legacy');
    expect(trades(events).map((x) => [x.side, x.price.toFixed()])).toEqual([['buy', '100']]);
    expect(core.ledger.cash.toFixed()).toBe('0.9');
  });
});
