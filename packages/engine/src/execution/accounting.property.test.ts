import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, ZERO } from '../core/decimal.js';
import { SeededRng } from '../core/rng.js';
import { BTCUSDT } from '../model/instrument.js';
import { Ledger } from '../portfolio/ledger.js';
import { defaultExecutionModels } from './execution-models.js';
import { queuePositionModel } from './queue-models.js';
import { SimulatedExchange, type ExecutionResult, type OrderType } from './simulated-exchange.js';

const d = (x: string | number) => new Decimal(x);

type Op =
  | { op: 'submit'; type: OrderType; side: 'buy' | 'sell'; qty: number; offset: number; stopOffset: number; reduceOnly: boolean }
  | { op: 'book'; mid: number; depth: number }
  | { op: 'trade'; move: number; qty: number }
  | { op: 'candle'; move: number; range: number }
  | { op: 'cancel'; pick: number }
  | { op: 'amend'; pick: number; qty: number; offset: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('submit' as const),
    type: fc.constantFrom<OrderType>('market', 'limit', 'stop_market', 'stop_limit'),
    side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
    qty: fc.integer({ min: 1, max: 400 }), // × 0.001 BTC
    offset: fc.integer({ min: -300, max: 300 }), // limit offset from mid in 0.01 %
    stopOffset: fc.integer({ min: -300, max: 300 }),
    reduceOnly: fc.boolean(),
  }),
  fc.record({ op: fc.constant('book' as const), mid: fc.integer({ min: -200, max: 200 }), depth: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ op: fc.constant('trade' as const), move: fc.integer({ min: -200, max: 200 }), qty: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ op: fc.constant('candle' as const), move: fc.integer({ min: -300, max: 300 }), range: fc.integer({ min: 0, max: 300 }) }),
  fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('amend' as const), pick: fc.nat(), qty: fc.integer({ min: 1, max: 400 }), offset: fc.integer({ min: -300, max: 300 }) }),
);

/**
 * Random sequences of orders of every type against random books, trades and candles. After every
 * step the account must reconcile exactly: cash is the initial cash plus every fill's cash flow,
 * fees add up, reserved funds are exactly what open orders hold, equity = initial + realized +
 * unrealized − fees, no order is overfilled and no reduce-only fill flips the position.
 */
describe('accounting over random order sequences', () => {
  it('balances after every fill, whatever the sequence', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.boolean(), (ops, seed, queueAndCancelLatency) => {
        const initial = d(20_000);
        const ledger = new Ledger(initial);
        // also with the queue position model and cancels that take time to land
        const extra = queueAndCancelLatency ? { queue: queuePositionModel(), cancelLatencyMs: { min: 20, max: 300 } } : {};
        const ex = new SimulatedExchange(BTCUSDT, defaultExecutionModels({ makerCommission: '0.0002', ...extra }), new SeededRng(seed));
        let price = 50_000;
        let time = 0;
        let n = 0;
        let cashFlow = ZERO;
        let fees = ZERO;
        let everShort = false;
        const ids: string[] = [];
        const round = (x: number) => Math.round(x * 100) / 100;
        const check = (results: ExecutionResult[]) => {
          for (const r of results) {
            if (r.kind !== 'filled') continue;
            const f = r.fill;
            const signed = f.side === 'buy' ? f.quantity : f.quantity.negated();
            cashFlow = cashFlow.minus(signed.times(f.price)).minus(f.fee);
            fees = fees.plus(f.fee);
            expect(r.order.filledQty.lessThanOrEqualTo(r.order.quantity)).toBe(true);
            if (r.order.reduceOnly) {
              const after = f.positionAfter;
              // the position after a reduce-only fill is never on the order's own side
              expect(after.isZero() || after.isPositive() === (f.side === 'sell')).toBe(true);
            }
          }
          if (ledger.quantity.isNegative()) everShort = true;
          expect(ledger.cash.eq(initial.plus(cashFlow))).toBe(true);
          expect(ledger.feesPaid.eq(fees)).toBe(true);
          let held = ZERO;
          for (const o of ex.activeOrders()) held = held.plus(ledger.reservedFor(o.id));
          expect(held.eq(ledger.reserved)).toBe(true);
          const mark = d(price);
          const lhs = ledger.equity(mark);
          const rhs = initial.plus(ledger.realizedPnl).plus(ledger.unrealizedPnl(mark)).minus(ledger.feesPaid);
          expect(lhs.minus(rhs).abs().lessThan('1e-8')).toBe(true);
          if (!everShort) expect(ledger.available.isNegative()).toBe(false);
        };
        for (const o of ops) {
          time += 1_000;
          switch (o.op) {
            case 'submit': {
              const id = `o${++n}`;
              ids.push(id);
              const limit = d(round(price * (1 + o.offset / 10_000)));
              const stop = d(round(price * (1 + o.stopOffset / 10_000)));
              ex.submit({
                id,
                side: o.side,
                type: o.type,
                quantity: d(o.qty).div(1000),
                limitPrice: o.type === 'limit' || o.type === 'stop_limit' ? limit : null,
                stopPrice: o.type === 'stop_market' || o.type === 'stop_limit' ? stop : null,
                reduceOnly: o.reduceOnly,
                decisionPrice: price,
                decidedAt: time,
                reason: 'prop',
              });
              break;
            }
            case 'book': {
              price = Math.max(1_000, round(price * (1 + o.mid / 10_000)));
              const levels = Array.from({ length: o.depth }, (_, i) => i);
              check(
                ex.onBook(
                  {
                    time,
                    bids: levels.map((i) => ({ price: d(round(price - 0.5 - i)), quantity: d('0.05').times(i + 1) })),
                    asks: levels.map((i) => ({ price: d(round(price + 0.5 + i)), quantity: d('0.05').times(i + 1) })),
                  },
                  ledger,
                ),
              );
              break;
            }
            case 'trade':
              price = Math.max(1_000, round(price * (1 + o.move / 10_000)));
              check(ex.onTrade({ time, price: d(price), quantity: d(o.qty).div(1000) }, ledger));
              break;
            case 'candle': {
              const open = price;
              const close = Math.max(1_000, round(open * (1 + o.move / 10_000)));
              const high = round(Math.max(open, close) * (1 + o.range / 20_000));
              const low = round(Math.min(open, close) * (1 - o.range / 20_000));
              time = Math.ceil(time / 60_000) * 60_000;
              check(ex.onCandle({ openTime: time, closeTime: time + 60_000, open, high, low, close, volume: 1 }, ledger));
              time += 60_000;
              price = close;
              break;
            }
            case 'amend': {
              const id = ids[o.pick % Math.max(1, ids.length)];
              const order = ex.activeOrders().find((x) => x.id === id);
              if (id !== undefined && order !== undefined) {
                check(ex.amend(id, { quantity: d(o.qty).div(1000), ...(order.limitPrice !== null ? { limitPrice: d(round(price * (1 + o.offset / 10_000))) } : {}) }, time, ledger));
              }
              break;
            }
            case 'cancel': {
              const id = ids[o.pick % Math.max(1, ids.length)];
              if (id !== undefined) {
                const r = ex.cancel(id, time, ledger);
                check(r ? [r] : []);
              }
              break;
            }
          }
        }
      }),
      { numRuns: 400 },
    );
  });
});
