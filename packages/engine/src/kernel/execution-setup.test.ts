import { describe, expect, it } from 'vitest';
import { Decimal } from '../core/decimal.js';
import type { CoreEvent, CoreInput } from './trading-core.js';
import { TradingCore } from './trading-core.js';
import { buildTradingSetup } from './trading-setup.js';

// The YAML selects the resting-fill model and the cancel latency; the backtester and the paper
// trader both build their TradingCore through buildTradingSetup, so both get the same models.

const yaml = (extra: string) => `
name: queue test
symbol: BTC/USDT
timeframes: { entry: 1m }
indicators:
  - { id: EMA_5, type: EMA, length: 5, timeframe: 1m }
logic:
  entry_long: ["close > EMA_5"]
  exit_long: ["close < EMA_5"]
backtest: { cash: 100000, commission: 0.001${extra} }
`;

function setup(extra: string) {
  const s = buildTradingSetup(yaml(extra), 'q.yaml', { strategyId: 'q', execution: { latencyMs: { min: 0, max: 0 } } });
  if (!s.ok) throw new Error(JSON.stringify(s.errors));
  return s;
}

const d = (x: number) => new Decimal(x);
const book = (time: number, bid: [number, number], ask: [number, number]): CoreInput => ({ kind: 'book', book: { time, bids: [{ price: d(bid[0]), quantity: d(bid[1]) }], asks: [{ price: d(ask[0]), quantity: d(ask[1]) }] } });
const trade = (time: number, price: number, quantity: number): CoreInput => ({ kind: 'trade', trade: { time, price: d(price), quantity: d(quantity) } });
const fills = (events: CoreEvent[]) => events.flatMap((e) => (e.type === 'trade' ? [[e.trade.time, e.trade.quantity.toFixed(), e.trade.provenance.model]] : []));

/** A buy limit of 1 at 99 behind 2 displayed, then 3 at 99 trade. */
function restingBuy(extra: string) {
  const core = new TradingCore(setup(extra).strategy, setup(extra).coreOptions);
  core.onInput(book(1_000, [99, 2], [100, 1]));
  core.submitOrder({ side: 'buy', type: 'limit', quantity: d(1), limitPrice: d(99), decisionPrice: 99.5, decidedAt: 1_000, reason: 'test' });
  const events = [trade(1_100, 100, 0.1), trade(1_200, 99, 3)].flatMap((x) => core.onInput(x));
  return { core, events };
}

describe('execution models from the strategy YAML', () => {
  it('defaults: trade-through resting fills, cancels land at once', () => {
    const s = setup('');
    expect(s.coreOptions.models.queue.name).toBe('trade-through');
    expect(s.coreOptions.models.cancelLatency.name).toBe('immediate');
    expect(fills(restingBuy('').events)).toEqual([]);
  });

  it('backtest.queue: queue_position fills a resting limit from trades at its price after the queue ahead', () => {
    const s = setup(', queue: queue_position, cancel_latency_ms: [50, 100]');
    expect(s.coreOptions.models.queue.name).toBe('queue-position');
    expect(s.coreOptions.models.cancelLatency.name).toBe('uniform(50..100ms)');
    // 2 ahead, 3 traded at 99: 1 reaches the order
    expect(fills(restingBuy(', queue: queue_position').events)).toEqual([[1_200, '1', 'queue-position']]);
  });

  it('a cancel with latency: the order can fill before the cancel lands', () => {
    const core = new TradingCore(setup(', cancel_latency_ms: 60').strategy, setup(', cancel_latency_ms: 60').coreOptions);
    core.onInput(book(1_000, [99, 2], [100, 1]));
    const o = core.submitOrder({ side: 'buy', type: 'limit', quantity: d(1), limitPrice: d(99), decisionPrice: 99.5, decidedAt: 1_000, reason: 'test' });
    core.onInput(trade(1_010, 100, 0.1));
    const sent: CoreEvent[] = [];
    core.cancelOrder(o.orderId, 1_020, sent);
    expect(sent).toEqual([]); // not acknowledged yet
    const before = core.onInput(trade(1_050, 98, 0.4)); // through 99 before 1 080
    expect(fills(before)).toEqual([[1_050, '0.4', 'trade-through']]);
    const after = core.onInput(trade(1_080, 98, 5));
    expect(fills(after)).toEqual([]);
    expect(after.filter((e) => e.type === 'order').map((e) => e.type === 'order' && [e.change, e.order.filledQty])).toEqual([['cancelled', '0.4']]);
    expect(core.openOrders()).toEqual([]);
  });

  it('refuses an unknown model or a latency range the wrong way round, saying where', () => {
    const bad = buildTradingSetup(yaml(', queue: fifo'), 'q.yaml', { strategyId: 'q' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toMatchObject({ path: 'backtest.queue' });
    const range = buildTradingSetup(yaml(', cancel_latency_ms: [100, 50]'), 'q.yaml', { strategyId: 'q' });
    expect(range.ok).toBe(false);
    if (!range.ok) expect(range.errors[0]?.path).toMatch(/^backtest\.cancel_latency_ms/);
  });
});
