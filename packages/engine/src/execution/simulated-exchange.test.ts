import { describe, expect, it } from 'vitest';
import { Decimal } from '../core/decimal.js';
import { SeededRng } from '../core/rng.js';
import { BTCUSDT } from '../model/instrument.js';
import { Ledger } from '../portfolio/ledger.js';
import { defaultExecutionModels } from './execution-models.js';
import type { BookUpdate } from './live-book.js';
import { SimulatedExchange, type ExecutionResult } from './simulated-exchange.js';

const d = (x: string | number) => new Decimal(x);
const candle = (openTime: number, open: number, high = open + 10, low = open - 10, close = open) => ({ openTime, closeTime: openTime + 60_000, open, high, low, close, volume: 1 });
const book = (time: number, bids: Array<[number, number]>, asks: Array<[number, number]>): BookUpdate => ({
  time,
  bids: bids.map(([p, q]) => ({ price: d(p), quantity: d(q) })),
  asks: asks.map(([p, q]) => ({ price: d(p), quantity: d(q) })),
});
const fills = (rs: ExecutionResult[]) => rs.flatMap((r) => (r.kind === 'filled' ? [r.fill] : []));
const kinds = (rs: ExecutionResult[]) => rs.map((r) => (r.kind === 'rejected' ? `rejected:${r.reason}` : r.kind));
/** no latency, no slippage, no spread: prices in tests are then easy to derive by hand */
const bare = (maker = '0.0002') => defaultExecutionModels({ latencyMs: { min: 0, max: 0 }, slippage: '0', spread: '0', makerCommission: maker });

describe('SimulatedExchange with candles only', () => {
  it('fills a market buy at the next open plus half spread and slippage, rounded up to the tick, with 0.1% fee', () => {
    const ex = new SimulatedExchange(BTCUSDT, defaultExecutionModels(), new SeededRng(7));
    const ledger = new Ledger(d(10_000));
    const order = ex.submitMarket({ id: 'o1', side: 'buy', quantity: d('0.1'), decisionPrice: 60_000, decidedAt: 1_000_000, reason: 'test' });
    expect(order.latencyMs).toBeGreaterThanOrEqual(50);
    expect(order.latencyMs).toBeLessThanOrEqual(100);
    const rs = ex.onCandle(candle(1_000_000, 60_100), ledger);
    expect(kinds(rs)).toEqual(['accepted', 'filled']);
    const [f] = fills(rs);
    // 60100 × (1 + 0.00005 + 0.0005) = 60133.055 → 60133.06
    expect(f!.price.toFixed()).toBe('60133.06');
    expect(f!.fee.toFixed()).toBe(d('60133.06').times('0.1').times('0.001').toFixed());
    expect(f!.liquidity).toBe('taker');
    expect(f!.time).toBe(1_000_000 + order.latencyMs);
    expect(f!.quality.arrivalMid).toBe('60100');
    // against the arrival mid: (60133.06 − 60100) / 60100 × 10 000
    expect(f!.quality.slippageBps).toBe('5.5008');
    expect(f!.quality.decisionPrice).toBe('60000');
    expect(ledger.quantity.toFixed()).toBe('0.1');
  });

  it('rejects with a reason: balance, minimum notional, step, tick, reduce-only without a position, stale data', () => {
    const ex = new SimulatedExchange(BTCUSDT, defaultExecutionModels(), new SeededRng(1));
    const ledger = new Ledger(d(100));
    const base = { side: 'buy' as const, decisionPrice: 60_000, decidedAt: 0, reason: 'test' };
    ex.submit({ ...base, id: 'big', type: 'market', quantity: d(1) });
    ex.submit({ ...base, id: 'dust', type: 'market', quantity: d('0.00001') });
    ex.submit({ ...base, id: 'step', type: 'market', quantity: d('0.000015') });
    ex.submit({ ...base, id: 'tick', type: 'limit', quantity: d('0.001'), limitPrice: d('59000.005') });
    ex.submit({ ...base, id: 'reduce', type: 'market', quantity: d('0.001'), side: 'sell', reduceOnly: true });
    const rs = ex.onCandle(candle(0, 60_000), ledger);
    expect(rs.map((r) => (r.kind === 'rejected' ? `${r.order.id}:${r.reason}` : r.kind))).toEqual([
      'big:INSUFFICIENT_BALANCE',
      'dust:BELOW_MIN_NOTIONAL',
      'step:INVALID_QUANTITY_STEP',
      'tick:INVALID_PRICE_TICK',
      'reduce:REDUCE_ONLY_NO_POSITION',
    ]);
    expect(ledger.cash.toFixed()).toBe('100');
    // an order whose first market data comes 10 minutes after it arrived
    ex.submit({ ...base, id: 'late', type: 'market', quantity: d('0.001'), decidedAt: 60_000 });
    const [late] = ex.onCandle(candle(660_000, 60_000), new Ledger(d(10_000)));
    expect(late?.kind === 'rejected' && late.reason).toBe('STALE_MARKET_DATA');
  });

  it('sells round down to the tick', () => {
    const ex = new SimulatedExchange(BTCUSDT, defaultExecutionModels(), new SeededRng(3));
    const ledger = new Ledger(d(100_000));
    ledger.apply({ side: 'buy', quantity: d(1), price: d(50_000), fee: d(0) });
    ex.submitMarket({ id: 's', side: 'sell', quantity: d(1), decisionPrice: 60_000, decidedAt: 0, reason: 'test' });
    const [f] = fills(ex.onCandle(candle(0, 60_000.03), ledger));
    // 60000.03 × (1 − 0.00055) = 59967.0299835 → 59967.02
    expect(f?.price.toFixed()).toBe('59967.02');
  });

  it('settles resting orders along O→H→L→C: the target above fills before the stop below', () => {
    const ex = new SimulatedExchange(BTCUSDT, bare(), new SeededRng(1));
    const ledger = new Ledger(d(100_000));
    ledger.apply({ side: 'buy', quantity: d(1), price: d(100), fee: d(0) });
    ex.submit({ id: 'sl', side: 'sell', type: 'stop_market', quantity: d(1), stopPrice: d(95), reduceOnly: true, decisionPrice: 100, decidedAt: 0, reason: 'stop_loss' });
    ex.submit({ id: 'tp', side: 'sell', type: 'limit', quantity: d(1), limitPrice: d(105), reduceOnly: true, decisionPrice: 100, decidedAt: 0, reason: 'take_profit' });
    ex.onCandle(candle(0, 100, 104, 96, 100), ledger); // neither touched (105 not traded through, 95 not reached)
    expect(ledger.quantity.toFixed()).toBe('1');
    const rs = ex.onCandle(candle(60_000, 100, 106, 90, 92), ledger);
    const [f] = fills(rs);
    expect(f).toMatchObject({ orderId: 'tp', liquidity: 'maker' });
    expect(f!.price.toFixed()).toBe('105');
    expect(f!.fee.toFixed()).toBe('0.021'); // maker 0.02 %
    expect(rs.find((r) => r.kind === 'cancelled')?.order.id).toBe('sl'); // reduce-only: nothing left to stop out
    expect(ledger.quantity.isZero()).toBe(true);
    expect(ex.activeOrders()).toEqual([]);
  });

  it('triggers a stop where the path reaches it, at the open when it gapped through', () => {
    const ex = new SimulatedExchange(BTCUSDT, bare(), new SeededRng(1));
    const ledger = new Ledger(d(100_000));
    ledger.apply({ side: 'buy', quantity: d(2), price: d(100), fee: d(0) });
    ex.submit({ id: 'a', side: 'sell', type: 'stop_market', quantity: d(1), stopPrice: d(95), reduceOnly: true, decisionPrice: 100, decidedAt: 0, reason: 'stop_loss' });
    ex.submit({ id: 'b', side: 'sell', type: 'stop_market', quantity: d(1), stopPrice: d(97), reduceOnly: true, decisionPrice: 100, decidedAt: 0, reason: 'stop_loss' });
    ex.onCandle(candle(0, 100, 101, 99, 100), ledger);
    const f = fills(ex.onCandle(candle(60_000, 93, 94, 90, 91), ledger));
    expect(f.map((x) => [x.orderId, x.price.toFixed()])).toEqual([
      ['a', '93'],
      ['b', '93'],
    ]);
  });

  it('a stop-limit that triggers but cannot fill rests as a limit and fills when the path comes back through it', () => {
    const ex = new SimulatedExchange(BTCUSDT, bare(), new SeededRng(1));
    const ledger = new Ledger(d(100_000));
    ex.submit({ id: 'sl', side: 'buy', type: 'stop_limit', quantity: d(1), stopPrice: d(105), limitPrice: d(104), decisionPrice: 100, decidedAt: 0, reason: 'breakout' });
    ex.onCandle(candle(0, 100, 101, 99, 100), ledger);
    // path 100 → 106 (trigger at 105, limit 104 not marketable) → 103 (through 104: maker fill at 104) → 103
    const rs = ex.onCandle(candle(60_000, 100, 106, 103, 103), ledger);
    expect(kinds(rs)).toEqual(['triggered', 'filled']);
    expect(fills(rs)[0]).toMatchObject({ liquidity: 'maker' });
    expect(fills(rs)[0]!.price.toFixed()).toBe('104');
  });
});

describe('SimulatedExchange with a live book', () => {
  it('walks the levels with partial fills at several prices and reports the fill quality', () => {
    const ex = new SimulatedExchange(BTCUSDT, bare(), new SeededRng(1));
    const ledger = new Ledger(d(100_000));
    ex.onBook(book(1_000, [[99, 5]], [[100, 1], [101, 1], [102, 5]]), ledger);
    ex.submit({ id: 'm', side: 'buy', type: 'market', quantity: d('1.5'), decisionPrice: 99.5, decidedAt: 1_500, reason: 'entry_long' });
    const rs = ex.onTrade({ time: 1_600, price: d(100), quantity: d('0.01') }, ledger);
    const f = fills(rs);
    expect(f.map((x) => [x.price.toFixed(), x.quantity.toFixed()])).toEqual([
      ['100', '1'],
      ['101', '0.5'],
    ]);
    const q = f[1]!.quality;
    expect(q).toMatchObject({ decisionPrice: '99.5', arrivalMid: '99.5', levelsConsumed: 2, latencyMs: 0 });
    // VWAP = (100 + 50.5) / 1.5 = 100.3333…; slippage vs the arrival mid 99.5 = 83.7521 bps
    expect(q.vwap).toBe('100.33333333');
    expect(q.slippageBps).toBe('83.7521');
  });

  it('keeps liquidity an earlier paper fill consumed until the book updates', () => {
    const ex = new SimulatedExchange(BTCUSDT, bare(), new SeededRng(1));
    const ledger = new Ledger(d(100_000));
    ex.onBook(book(1_000, [[99, 5]], [[100, 1], [101, 1], [102, 5]]), ledger);
    ex.submit({ id: 'a', side: 'buy', type: 'market', quantity: d(1), decisionPrice: 100, decidedAt: 1_100, reason: 'x' });
    ex.submit({ id: 'b', side: 'buy', type: 'market', quantity: d(1), decisionPrice: 100, decidedAt: 1_100, reason: 'x' });
    const first = fills(ex.onTrade({ time: 1_200, price: d(100), quantity: d('0.001') }, ledger));
    expect(first.map((x) => `${x.orderId}@${x.price.toFixed()}`)).toEqual(['a@100', 'b@101']);
    ex.submit({ id: 'c', side: 'buy', type: 'market', quantity: d(1), decisionPrice: 100, decidedAt: 1_300, reason: 'x' });
    expect(fills(ex.onTrade({ time: 1_400, price: d(100), quantity: d('0.001') }, ledger)).map((x) => x.price.toFixed())).toEqual(['102']);
    // a new book restores the displayed quantity
    ex.onBook(book(2_000, [[99, 5]], [[100, 1], [101, 1]]), ledger);
    ex.submit({ id: 'e', side: 'buy', type: 'market', quantity: d(1), decisionPrice: 100, decidedAt: 2_100, reason: 'x' });
    expect(fills(ex.onTrade({ time: 2_200, price: d(100), quantity: d('0.001') }, ledger)).map((x) => x.price.toFixed())).toEqual(['100']);
  });

  it('consumes only what was filled: a fill refused for lack of funds leaves the level to others', () => {
    const ex = new SimulatedExchange(BTCUSDT, bare(), new SeededRng(1));
    const ledger = new Ledger(d(150));
    ex.onBook(book(1_000, [[99, 5]], [[100, 1], [101, 1]]), ledger);
    ex.submit({ id: 'm', side: 'buy', type: 'market', quantity: d('1.5'), decisionPrice: 99.5, decidedAt: 1_000, reason: 'x' });
    const rs = ex.onTrade({ time: 1_050, price: d(100), quantity: d('0.001') }, ledger);
    expect(fills(rs).map((x) => x.price.toFixed())).toEqual(['100']);
    expect(rs.find((r) => r.kind === 'cancelled')).toMatchObject({ reason: expect.stringMatching(/^INSUFFICIENT_BALANCE/) });
    const live = ex.currentBook()!;
    expect(live.available('ask', { price: d(100), quantity: d(1) }).toFixed()).toBe('0');
    expect(live.available('ask', { price: d(101), quantity: d(1) }).toFixed()).toBe('1');
  });

  it('fills what the book has and the rest of a market order on the next book', () => {
    const ex = new SimulatedExchange(BTCUSDT, bare(), new SeededRng(1));
    const ledger = new Ledger(d(100_000));
    ex.onBook(book(1_000, [[99, 5]], [[100, 1]]), ledger);
    ex.submit({ id: 'm', side: 'buy', type: 'market', quantity: d(3), decisionPrice: 100, decidedAt: 1_000, reason: 'x' });
    const rs = ex.onBook(book(1_100, [[99, 5]], [[100, 2]]), ledger);
    // arrival: 1 from the old book; then the new book brings 2 more
    expect(fills(rs).map((x) => x.quantity.toFixed())).toEqual(['1', '2']);
    expect(ex.activeOrders()).toEqual([]);
  });

  it('fills a resting limit when a trade prints through it, at the limit, as maker, up to the trade size', () => {
    const ex = new SimulatedExchange(BTCUSDT, bare('0.0002'), new SeededRng(1));
    const ledger = new Ledger(d(100_000));
    ex.onBook(book(1_000, [[99, 5]], [[100, 5]]), ledger);
    ex.submit({ id: 'l', side: 'buy', type: 'limit', quantity: d(2), limitPrice: d(99), decisionPrice: 100, decidedAt: 1_000, reason: 'x' });
    expect(fills(ex.onTrade({ time: 1_100, price: d(99), quantity: d(10) }, ledger))).toEqual([]); // at, not through
    expect(ledger.reserved.toFixed()).toBe('198.198'); // 2 × 99 × 1.001 held
    expect(ledger.available.toFixed()).toBe(d(100_000).minus('198.198').toFixed());
    const f = fills(ex.onTrade({ time: 1_200, price: d('98.99'), quantity: d('0.5') }, ledger));
    expect(f.map((x) => [x.price.toFixed(), x.quantity.toFixed(), x.liquidity, x.fee.toFixed()])).toEqual([['99', '0.5', 'maker', '0.0099']]);
    expect(ledger.reserved.toFixed()).toBe('148.6485'); // 1.5 × 99 × 1.001
    ex.cancel('l', 1_300, ledger);
    expect(ledger.reserved.isZero()).toBe(true);
  });

  it('a marketable limit takes the book up to its price and rests the remainder', () => {
    const ex = new SimulatedExchange(BTCUSDT, bare(), new SeededRng(1));
    const ledger = new Ledger(d(100_000));
    ex.onBook(book(1_000, [[99, 5]], [[100, 1], [101, 1]]), ledger);
    ex.submit({ id: 'l', side: 'buy', type: 'limit', quantity: d(3), limitPrice: d(100), decisionPrice: 100, decidedAt: 1_000, reason: 'x' });
    const rs = ex.onTrade({ time: 1_050, price: d(100), quantity: d('0.001') }, ledger);
    expect(fills(rs).map((x) => [x.price.toFixed(), x.quantity.toFixed(), x.liquidity])).toEqual([['100', '1', 'taker']]);
    expect(ex.activeOrders().map((o) => o.filledQty.toFixed())).toEqual(['1']);
  });

  it('a stop-market triggered by a trade walks the book', () => {
    const ex = new SimulatedExchange(BTCUSDT, bare(), new SeededRng(1));
    const ledger = new Ledger(d(100_000));
    ledger.apply({ side: 'buy', quantity: d(2), price: d(100), fee: d(0) });
    ex.onBook(book(1_000, [[99, 1], [98, 5]], [[100, 5]]), ledger);
    ex.submit({ id: 's', side: 'sell', type: 'stop_market', quantity: d(2), stopPrice: d(99), reduceOnly: true, decisionPrice: 100, decidedAt: 1_000, reason: 'stop_loss' });
    expect(fills(ex.onTrade({ time: 1_100, price: d('99.5'), quantity: d(1) }, ledger))).toEqual([]);
    const rs = ex.onTrade({ time: 1_200, price: d(99), quantity: d(1) }, ledger);
    expect(kinds(rs)).toEqual(['triggered', 'filled', 'filled']);
    expect(fills(rs).map((x) => x.price.toFixed())).toEqual(['99', '98']);
    expect(ledger.quantity.isZero()).toBe(true);
  });

  it('rejects an order when the book is stale and no fresher data exists', () => {
    const models = defaultExecutionModels({ latencyMs: { min: 0, max: 0 }, staleness: { maxAgeMs: 1_000, bookMaxAgeMs: 500 } });
    const ex = new SimulatedExchange(BTCUSDT, models, new SeededRng(1));
    const ledger = new Ledger(d(100_000));
    ex.onBook(book(1_000, [[99, 5]], [[100, 5]]), ledger);
    ex.submit({ id: 'm', side: 'buy', type: 'market', quantity: d(1), decisionPrice: 100, decidedAt: 2_000, reason: 'x' });
    const [r] = ex.onBook(book(5_000, [[99, 5]], [[100, 5]]), ledger);
    expect(r?.kind === 'rejected' && r.reason).toBe('STALE_MARKET_DATA');
  });
});
