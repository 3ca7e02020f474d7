import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { Timeframe } from '../candles/timeframe.js';
import { Decimal } from '../core/decimal.js';
import { SeededRng } from '../core/rng.js';
import { talibSeries, type Talib } from '../indicators/testing/talib-reference.js';
import { defaultExecutionModels } from '../execution/execution-models.js';
import { BTCUSDT } from '../model/instrument.js';
import type { Candle } from '../model/candle.js';
import { fixedUnitsSizer } from '../portfolio/position-sizer.js';
import type { PositionSide, Signal, StrategyLogic } from '../strategy/strategy-logic.js';
import { TradingCore, type CoreEvent, type CoreInput, type RiskRules, type TradingCoreOptions } from './trading-core.js';

const talib = createRequire(import.meta.url)('talib') as Talib;

/** A strategy that emits scripted signals at the close of given entry candles (1-based count). */
class ScriptedLogic implements StrategyLogic {
  readonly name = 'scripted';
  readonly timeframes: readonly Timeframe[];
  readonly warmupMinutes = 0;
  private seen = 0;
  constructor(
    private readonly script: Record<number, Signal>,
    readonly entryTimeframe: Timeframe = '1m',
  ) {
    this.timeframes = [entryTimeframe];
  }
  onCandle(): void {
    this.seen += 1;
  }
  isReady(): boolean {
    return true;
  }
  decide(position: PositionSide): Signal | null {
    const s = this.script[this.seen];
    if (s === undefined) return null;
    const isEntry = s.startsWith('entry');
    return isEntry === (position === 'flat') ? s : null;
  }
  columns() {
    return {};
  }
}

const minute = (i: number, open: number, high: number, low: number, close: number): Candle => ({ openTime: i * 60_000, closeTime: (i + 1) * 60_000, open, high, low, close, volume: 10 });

function options(risk?: RiskRules): TradingCoreOptions {
  return {
    strategyId: 'core-test',
    instrument: BTCUSDT,
    initialCash: new Decimal(100_000),
    models: defaultExecutionModels({ slippage: '0', spread: '0', makerCommission: '0.0002' }),
    sizer: fixedUnitsSizer(1),
    rngSeed: 42,
    risk,
  };
}

const trades = (events: CoreEvent[]) => events.flatMap((e) => (e.type === 'trade' ? [e.trade] : []));

describe('TradingCore risk management', () => {
  it('places a stop-loss and a take-profit after the entry fills; the stop closes the position and the target is cancelled', () => {
    const core = new TradingCore(new ScriptedLogic({ 1: 'entry_long' }), options({ stopLossPct: 0.02, takeProfitPct: 0.05 }));
    const events: CoreEvent[] = [];
    events.push(...core.onMinuteCandle(minute(0, 100, 101, 99, 100)));
    events.push(...core.onMinuteCandle(minute(1, 100, 101, 99, 100))); // entry fills at 100
    const open = core.openOrders();
    expect(open.map((o) => [o.reason, o.type, o.stopPrice ?? o.limitPrice])).toEqual([
      ['stop_loss', 'stop_market', '98'],
      ['take_profit', 'limit', '105'],
    ]);
    events.push(...core.onMinuteCandle(minute(2, 100, 100.5, 97, 97.5)));
    const t = trades(events);
    expect(t.map((x) => [x.reason, x.side, x.price.toFixed()])).toEqual([
      ['entry_long', 'buy', '100'],
      ['stop_loss', 'sell', '98'],
    ]);
    expect(core.ledger.quantity.isZero()).toBe(true);
    expect(core.openOrders()).toEqual([]);
    expect(events.some((e) => e.type === 'order' && e.order.reason === 'take_profit' && e.change === 'cancelled')).toBe(true);
  });

  it('takes partial profits, then the target closes the rest at the maker rate', () => {
    const core = new TradingCore(new ScriptedLogic({ 1: 'entry_long' }), options({ stopLossPct: 0.05, takeProfitPct: 0.03, partialExits: [{ level: 0.01, fraction: 0.4 }] }));
    const events: CoreEvent[] = [];
    for (const c of [minute(0, 100, 100, 100, 100), minute(1, 100, 100, 100, 100), minute(2, 100, 101.5, 100, 101), minute(3, 101, 103.5, 101, 103)]) events.push(...core.onMinuteCandle(c));
    const t = trades(events);
    expect(t.map((x) => [x.reason, x.quantity.toFixed(), x.price.toFixed(), x.liquidity])).toEqual([
      ['entry_long', '1', '100', 'taker'],
      ['partial_exit', '0.4', '101', 'maker'],
      ['take_profit', '0.6', '103', 'maker'],
    ]);
    expect(t[2]!.fee.toFixed()).toBe(new Decimal('0.6').times(103).times('0.0002').toFixed());
    expect(core.ledger.quantity.isZero()).toBe(true);
    expect(core.openOrders()).toEqual([]); // the stop went with the position
    // realized PnL = 0.4 × 1 + 0.6 × 3
    expect(core.ledger.realizedPnl.toFixed()).toBe('2.2');
  });

  it('fills against a live book when one is fresh and gives identical events for identical inputs', () => {
    const inputs: CoreInput[] = [
      { kind: 'candle', candle: minute(0, 100, 100, 100, 100) },
      { kind: 'book', book: { time: 60_010, bids: [{ price: new Decimal(99), quantity: new Decimal(5) }], asks: [{ price: new Decimal('100.5'), quantity: new Decimal('0.4') }, { price: new Decimal(101), quantity: new Decimal(5) }] } },
      { kind: 'trade', trade: { time: 60_200, price: new Decimal('100.5'), quantity: new Decimal('0.1') } },
      { kind: 'candle', candle: minute(1, 100, 101, 99, 100) },
    ];
    const run = () => {
      const core = new TradingCore(new ScriptedLogic({ 1: 'entry_long' }), options());
      return inputs.flatMap((i) => core.onInput(i));
    };
    const a = run();
    expect(trades(a).map((x) => [x.price.toFixed(), x.quantity.toFixed()])).toEqual([
      ['100.5', '0.4'],
      ['101', '0.6'],
    ]);
    expect(JSON.stringify(run())).toBe(JSON.stringify(a));
  });

  it('sizes an ATR stop from every entry bar, two bars closed at once by a gap included (TA-Lib ATR as the reference)', () => {
    const rng = new SeededRng(7);
    const all: Candle[] = [];
    let price = 100;
    for (let i = 0; i < 5 * 30; i++) {
      const open = price;
      price = Math.round(price * (1 + (rng.next() - 0.5) * 0.01) * 100) / 100;
      all.push(minute(i, open, Math.max(open, price) + 0.3, Math.min(open, price) - 0.2, price));
    }
    // 5m bar 9 misses its last minute and bar 10 all but its last: that minute closes both bars at once
    const missing = new Set([49, 50, 51, 52, 53]);
    const candles = all.filter((c) => !missing.has(c.openTime / 60_000));
    const core = new TradingCore(new ScriptedLogic({ 20: 'entry_long' }, '5m'), options({ atrMultiplier: 2 }));
    const events = candles.flatMap((c) => core.onMinuteCandle(c));
    const entry = trades(events)[0]!;
    expect(entry.reason).toBe('entry_long');
    // the 5m bars as the core saw them (built here by grouping), and TA-Lib's ATR(14) at the decision bar (the 20th)
    const buckets = new Map<number, Candle[]>();
    for (const c of candles) {
      const k = Math.floor(c.openTime / 300_000);
      buckets.set(k, [...(buckets.get(k) ?? []), c]);
    }
    const bars = [...buckets.values()].map((m) => ({ ...m[0]!, closeTime: m[0]!.openTime + 300_000, high: Math.max(...m.map((x) => x.high)), low: Math.min(...m.map((x) => x.low)), close: m.at(-1)!.close }));
    const atr = talibSeries(talib, 'ATR', bars, { optInTimePeriod: 14 })['outReal']![19]!;
    expect(atr).toBeGreaterThan(0);
    const stop = core.openOrders().find((o) => o.reason === 'stop_loss')!;
    expect(stop.stopPrice).toBe(entry.price.minus(new Decimal(atr).times(2)).toNearest('0.01').toFixed());
  });
});

describe('TradingCore force exit', () => {
  it('closes an open position with a market order through the exchange, reason "forced", cancelling its protective orders', () => {
    const core = new TradingCore(new ScriptedLogic({ 1: 'entry_long' }), options({ stopLossPct: 0.02, takeProfitPct: 0.05 }));
    const events: CoreEvent[] = [];
    events.push(...core.onMinuteCandle(minute(0, 100, 101, 99, 100)));
    events.push(...core.onMinuteCandle(minute(1, 100, 101, 99, 100))); // entry fills at 100, stop and target placed
    expect(core.openOrders()).toHaveLength(2);
    const forced = core.forceExit();
    expect(forced.filter((e) => e.type === 'order' && e.change === 'cancelled').map((e) => (e.type === 'order' ? e.order.reason : ''))).toEqual(['stop_loss', 'take_profit']);
    const submitted = forced.find((e) => e.type === 'order' && e.change === 'submitted');
    expect(submitted?.type === 'order' && [submitted.order.type, submitted.order.side, submitted.order.reason, submitted.order.quantity]).toEqual(['market', 'sell', 'forced', '1']);
    // like any market order it reaches the venue and fills on the next input
    events.push(...forced, ...core.onMinuteCandle(minute(2, 102, 103, 101, 102.5)));
    expect(trades(events).map((x) => [x.reason, x.side, x.price.toFixed()])).toEqual([
      ['entry_long', 'buy', '100'],
      ['forced', 'sell', '102'],
    ]);
    expect(core.ledger.quantity.isZero()).toBe(true);
    expect(core.openOrders()).toEqual([]);
  });

  it('does nothing when flat', () => {
    const core = new TradingCore(new ScriptedLogic({}), options());
    expect(core.forceExit()).toEqual([]);
    core.onMinuteCandle(minute(0, 100, 101, 99, 100));
    expect(core.forceExit()).toEqual([]);
    expect(core.summary().orderCount).toBe(0);
  });
});
