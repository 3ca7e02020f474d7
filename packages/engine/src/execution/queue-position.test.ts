import { describe, expect, it } from 'vitest';
import { Decimal } from '../core/decimal.js';
import { SeededRng } from '../core/rng.js';
import type { Candle } from '../model/candle.js';
import { BTCUSDT } from '../model/instrument.js';
import { Ledger } from '../portfolio/ledger.js';
import { defaultExecutionModels, type ExecutionModelOverrides } from './execution-models.js';
import type { BookUpdate } from './live-book.js';
import { queuePositionModel } from './queue-models.js';
import { SimulatedExchange, type ExecutionResult } from './simulated-exchange.js';

// Hand-built book and trade sequences. Expected fills are worked out in the comments from the rule
// (docs/execution.md), not read back from the engine.

const d = (x: string | number) => new Decimal(x);
const book = (time: number, bids: Array<[number, number]>, asks: Array<[number, number]>): BookUpdate => ({
  time,
  bids: bids.map(([p, q]) => ({ price: d(p), quantity: d(q) })),
  asks: asks.map(([p, q]) => ({ price: d(p), quantity: d(q) })),
});
const trade = (time: number, price: number, quantity: number) => ({ time, price: d(price), quantity: d(quantity) });
const fillsOf = (rs: ExecutionResult[]) => rs.flatMap((r) => (r.kind === 'filled' ? [[r.fill.time, r.fill.quantity.toFixed(), r.fill.price.toFixed(), r.fill.provenance.model]] : []));
const models = (o: ExecutionModelOverrides = {}) => defaultExecutionModels({ latencyMs: { min: 0, max: 0 }, slippage: '0', spread: '0', ...o });

/** Runs a sequence of books and trades through an exchange after placing one order; returns its fills. */
function run(overrides: ExecutionModelOverrides, limit: { side: 'buy' | 'sell'; quantity: number; price: number }, first: BookUpdate, steps: Array<BookUpdate | ReturnType<typeof trade>>) {
  const ex = new SimulatedExchange(BTCUSDT, models(overrides), new SeededRng(1));
  const ledger = new Ledger(d(1_000_000));
  ledger.apply({ side: 'buy', quantity: d(100), price: d(100), fee: d(0) });
  ex.onBook(first, ledger);
  ex.submit({ id: 'l', side: limit.side, type: 'limit', quantity: d(limit.quantity), limitPrice: d(limit.price), decisionPrice: 100, decidedAt: first.time, reason: 'x' });
  const out: unknown[][] = [];
  for (const s of steps) out.push(...fillsOf('bids' in s ? ex.onBook(s, ledger) : ex.onTrade(s, ledger)));
  return { fills: out, ex };
}

describe('queue position model', () => {
  const queue = queuePositionModel();

  it('fills a resting buy only after the 5 displayed ahead of it at its price have traded', () => {
    // joins behind 5 at 99. Trades at 99: 3 (2 left ahead), 1 (1 left), 2 (1 reaches the order),
    // 4 (the order's last 1). A trade at 100 is on the other side of the book and does nothing.
    const steps = [trade(1_100, 100, 1), trade(1_200, 99, 3), trade(1_300, 99, 1), trade(1_400, 99, 2), trade(1_500, 99, 4)];
    const first = book(1_000, [[99, 5], [98, 3]], [[100, 4]]);
    const { fills } = run({ queue }, { side: 'buy', quantity: 2, price: 99 }, first, steps);
    expect(fills).toEqual([
      [1_400, '1', '99', 'queue-position'],
      [1_500, '1', '99', 'queue-position'],
    ]);
    // today's rule: trades at the price never fill a resting order
    expect(run({}, { side: 'buy', quantity: 2, price: 99 }, first, steps).fills).toEqual([]);
  });

  it('volume ahead that leaves the book shortens the queue; volume joining later stands behind', () => {
    // ahead 5 → book shows 1.5 (3.5 ahead cancelled) → book shows 6 (4.5 joined behind: still 1.5)
    // → trade of 2 at 99: 0.5 reaches the order → a trade through (98.9) takes the remaining 0.5.
    const { fills } = run({ queue }, { side: 'buy', quantity: 1, price: 99 }, book(1_000, [[99, 5]], [[100, 4]]), [
      trade(1_050, 100, 1),
      book(2_000, [[99, 1.5]], [[100, 4]]),
      book(3_000, [[99, 6]], [[100, 4]]),
      trade(3_100, 99, 2),
      trade(3_200, 98.9, 10),
    ]);
    expect(fills).toEqual([
      [3_100, '0.5', '99', 'queue-position'],
      [3_200, '0.5', '99', 'trade-through'],
    ]);
  });

  it('a sell resting above the best ask joins behind what the ask side shows at its price', () => {
    // sell 3 at 101 behind 2; trades at 101 of 1, 1 (queue gone), 2 (fills 2), then 5 (fills the last 1)
    const { fills } = run({ queue }, { side: 'sell', quantity: 3, price: 101 }, book(1_000, [[99, 5]], [[100, 4], [101, 2]]), [
      trade(1_050, 100, 1),
      trade(1_100, 101, 1),
      trade(1_200, 101, 1),
      trade(1_300, 101, 2),
      trade(1_400, 101, 5),
    ]);
    expect(fills).toEqual([
      [1_300, '2', '101', 'queue-position'],
      [1_400, '1', '101', 'queue-position'],
    ]);
  });

  it('a price better than the best bid has nobody ahead; a level deeper than the book shows waits until a book shows it', () => {
    const better = run({ queue }, { side: 'buy', quantity: 1, price: 99.5 }, book(1_000, [[99, 5]], [[100, 4]]), [trade(1_050, 100, 1), trade(1_100, 99.5, 0.3)]);
    expect(better.fills).toEqual([[1_100, '0.3', '99.5', 'queue-position']]);
    // one level shown (a bookTicker): 99 lies beyond it, so the queue is unknown and a trade at 99 fills
    // nothing; a depth book then shows 3 at 99 → a trade of 4 at 99 gives the order 1.
    const deep = run({ queue }, { side: 'buy', quantity: 2, price: 99 }, book(1_000, [[99.5, 2]], [[100, 1]]), [
      trade(1_050, 100, 1),
      trade(1_100, 99, 10),
      book(1_200, [[99.5, 2], [99.2, 1], [99, 3]], [[100, 1]]),
      trade(1_300, 99, 4),
    ]);
    expect(deep.fills).toEqual([[1_300, '1', '99', 'queue-position']]);
  });

  it('a book crossing the order fills it whatever the queue (the level was taken)', () => {
    const { fills } = run({ queue }, { side: 'buy', quantity: 1, price: 99 }, book(1_000, [[99, 50]], [[100, 4]]), [trade(1_050, 100, 1), book(1_100, [[98, 5]], [[98.5, 0.4], [99.5, 3]])]);
    expect(fills).toEqual([[1_100, '0.4', '99', 'book-cross']]);
  });
});

describe('cancel and amendment acknowledgement latency', () => {
  const cancelLatencyMs = { min: 40, max: 40 };

  it('a trade before the cancel lands still fills the order; one after it finds the order cancelled', () => {
    // cancel sent at 1 000 lands at 1 040: the trade through at 1 020 fills 1 of 2, at 1 040 it is gone
    const ex = new SimulatedExchange(BTCUSDT, models({ cancelLatencyMs }), new SeededRng(1));
    const ledger = new Ledger(d(100_000));
    ex.onBook(book(900, [[99, 5]], [[100, 4]]), ledger);
    ex.submit({ id: 'l', side: 'buy', type: 'limit', quantity: d(2), limitPrice: d(99), decisionPrice: 100, decidedAt: 900, reason: 'x' });
    ex.onTrade(trade(950, 100, 1), ledger);
    expect(ex.cancel('l', 1_000, ledger)).toBeNull();
    expect(ex.cancel('l', 1_010, ledger)).toBeNull(); // sent twice: still the first one
    expect(fillsOf(ex.onTrade(trade(1_020, 98.5, 1), ledger))).toEqual([[1_020, '1', '99', 'trade-through']]);
    const rs = ex.onTrade(trade(1_040, 98.5, 5), ledger);
    expect(rs.map((r) => r.kind)).toEqual(['cancelled']);
    expect(rs[0]!.order.updatedAt).toBe(1_040);
    expect(rs[0]!.order.filledQty.toFixed()).toBe('1');
    expect(ledger.reserved.isZero()).toBe(true);
  });

  it('with candles only: the path can fill the order before the cancel lands, not after', () => {
    const candle = (openTime: number, open: number, high: number, low: number, close: number): Candle => ({ openTime, closeTime: openTime + 60_000, open, high, low, close, volume: 1 });
    const setup = () => {
      const ex = new SimulatedExchange(BTCUSDT, models({ cancelLatencyMs }), new SeededRng(1));
      const ledger = new Ledger(d(100_000));
      ledger.apply({ side: 'buy', quantity: d(1), price: d(100), fee: d(0) });
      ex.submit({ id: 'tp', side: 'sell', type: 'limit', quantity: d(1), limitPrice: d(105), reduceOnly: true, decisionPrice: 100, decidedAt: 0, reason: 'take_profit' });
      ex.onCandle(candle(0, 100, 104, 96, 100), ledger); // rests: 105 not traded through
      ex.cancel('tp', 60_000, ledger); // lands at 60 040
      return { ex, ledger };
    };
    // the next candle opens through 105: filled at its open at 60 000, before the cancel lands
    const a = setup();
    expect(fillsOf(a.ex.onCandle(candle(60_000, 106, 107, 103, 104), a.ledger))).toEqual([[60_000, '1', '106', 'candle-path']]);
    // the next candle reaches 105 only at its high, 20 s in: the cancel landed first
    const b = setup();
    const rs = b.ex.onCandle(candle(60_000, 100, 108, 99, 101), b.ledger);
    expect(rs.map((r) => [r.kind, r.order.updatedAt])).toEqual([['cancelled', 60_040]]);
    expect(b.ledger.quantity.toFixed()).toBe('1');
  });

  it('an amendment lands after the same latency: until then the order trades at its old price', () => {
    // buy 2 @ 99; amend to 98 sent at 1 000 lands at 1 040. 98.5 at 1 020 is through 99: fills 1 at 99.
    // After it lands, 98.5 is not through 98; 97.9 is: the last 1 fills at 98.
    const ex = new SimulatedExchange(BTCUSDT, models({ cancelLatencyMs }), new SeededRng(1));
    const ledger = new Ledger(d(100_000));
    ex.onBook(book(900, [[99, 5]], [[100, 4]]), ledger);
    ex.submit({ id: 'l', side: 'buy', type: 'limit', quantity: d(2), limitPrice: d(99), decisionPrice: 100, decidedAt: 900, reason: 'x' });
    ex.onTrade(trade(950, 100, 1), ledger);
    expect(ex.amend('l', { limitPrice: d(98) }, 1_000, ledger)).toEqual([]);
    expect(ex.amend('l', { limitPrice: d(97) }, 1_010, ledger).map((r) => r.kind)).toEqual(['amend-rejected']); // one in flight at a time
    expect(fillsOf(ex.onTrade(trade(1_020, 98.5, 1), ledger))).toEqual([[1_020, '1', '99', 'trade-through']]);
    const landed = ex.onTrade(trade(1_060, 98.5, 5), ledger);
    expect(landed.map((r) => r.kind)).toEqual(['amended']);
    expect(landed[0]!.order.limitPrice?.toFixed()).toBe('98');
    expect(ledger.reserved.toFixed()).toBe('98.098'); // the rest, 1 × 98 × 1.001
    expect(fillsOf(ex.onTrade(trade(1_080, 97.9, 5), ledger))).toEqual([[1_080, '1', '98', 'trade-through']]);
  });

  it('queue position: a smaller quantity keeps the place, a new price goes to the back', () => {
    const queue = queuePositionModel();
    const ex = new SimulatedExchange(BTCUSDT, models({ queue }), new SeededRng(1));
    const ledger = new Ledger(d(100_000));
    ex.onBook(book(900, [[99, 5]], [[100, 4]]), ledger);
    ex.submit({ id: 'l', side: 'buy', type: 'limit', quantity: d(2), limitPrice: d(99), decisionPrice: 100, decidedAt: 900, reason: 'x' });
    ex.onTrade(trade(950, 100, 1), ledger);
    expect(fillsOf(ex.onTrade(trade(1_000, 99, 3), ledger))).toEqual([]); // 2 left ahead
    expect(ex.amend('l', { quantity: d(1) }, 1_100, ledger).map((r) => r.kind)).toEqual(['amended']); // default: lands at once
    // still 2 ahead: a trade of 2.5 at 99 gives the order 0.5
    expect(fillsOf(ex.onTrade(trade(1_200, 99, 2.5), ledger))).toEqual([[1_200, '0.5', '99', 'queue-position']]);
    // away and back: behind the 5 the book shows again
    ex.amend('l', { limitPrice: d(98) }, 1_300, ledger);
    ex.onBook(book(1_350, [[99, 5]], [[100, 4]]), ledger);
    ex.amend('l', { limitPrice: d(99) }, 1_400, ledger);
    expect(fillsOf(ex.onTrade(trade(1_500, 99, 3), ledger))).toEqual([]);
    expect(fillsOf(ex.onTrade(trade(1_600, 99, 2.5), ledger))).toEqual([[1_600, '0.5', '99', 'queue-position']]);
  });

  it('a limit moved through the book takes what is there at once, as on arrival', () => {
    // sell 1 resting at 101; moved to 99.5 while the best bid is 100 (2 shown): fills 1 at 100 as taker
    const ex = new SimulatedExchange(BTCUSDT, models(), new SeededRng(1));
    const ledger = new Ledger(d(100_000));
    ledger.apply({ side: 'buy', quantity: d(1), price: d(100), fee: d(0) });
    ex.onBook(book(900, [[100, 2]], [[100.5, 4]]), ledger);
    ex.submit({ id: 'l', side: 'sell', type: 'limit', quantity: d(1), limitPrice: d(101), decisionPrice: 100, decidedAt: 900, reason: 'x' });
    ex.onTrade(trade(950, 100.5, 1), ledger);
    const rs = ex.amend('l', { limitPrice: d('99.5') }, 1_000, ledger);
    expect(rs.map((r) => r.kind)).toEqual(['amended', 'filled']);
    expect(fillsOf(rs)).toEqual([[1_000, '1', '100', 'book-walk']]);
    expect(ledger.quantity.isZero()).toBe(true);
  });

  it('refuses an amendment it cannot honour and leaves the order as it was', () => {
    const ex = new SimulatedExchange(BTCUSDT, models(), new SeededRng(1));
    const ledger = new Ledger(d(1_000));
    ex.onBook(book(900, [[99, 5]], [[100, 4]]), ledger);
    ex.submit({ id: 'l', side: 'buy', type: 'limit', quantity: d(2), limitPrice: d(99), decisionPrice: 100, decidedAt: 900, reason: 'x' });
    ex.onTrade(trade(950, 98, 1), ledger); // fills 1 of 2
    const held = ledger.reserved.toFixed();
    const reasons = [
      ex.amend('l', { quantity: d(1) }, 1_000, ledger), // not above the filled 1
      ex.amend('l', { quantity: d(20) }, 1_000, ledger), // 19 × 99 × 1.001 > the cash left
      ex.amend('l', { limitPrice: d('98.999') }, 1_000, ledger), // off the tick
      ex.amend('l', { stopPrice: d(90) }, 1_000, ledger), // a limit has no stop
    ].map(([r]) => (r?.kind === 'amend-rejected' ? r.reason : r?.kind));
    expect(reasons).toEqual([
      'quantity 1 is not above the filled 1',
      'INSUFFICIENT_BALANCE: needs 1882.881 USDT', // 19 × 99 × 1.001
      'price 98.999 is not a positive multiple of tick 0.01',
      'a limit order has no stop price',
    ]);
    expect(ledger.reserved.toFixed()).toBe(held);
    expect(ex.activeOrders()[0]).toMatchObject({ quantity: d(2), limitPrice: d(99) });
  });

  it('the default cancels at once and draws nothing from the RNG (backtests keep their results)', () => {
    const ex = new SimulatedExchange(BTCUSDT, models(), new SeededRng(1));
    const ledger = new Ledger(d(100_000));
    ex.submit({ id: 'l', side: 'buy', type: 'limit', quantity: d(1), limitPrice: d(99), decisionPrice: 100, decidedAt: 0, reason: 'x' });
    const r = ex.cancel('l', 10, ledger);
    expect(r?.kind).toBe('cancelled');
    expect(ex.activeOrders()).toEqual([]);
  });
});
