import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../core/decimal.js';
import { InvariantError } from '../core/invariant-error.js';
import { Ledger } from './ledger.js';

const d = (x: string | number) => new Decimal(x);

describe('Ledger', () => {
  it('tracks a long round trip with average entry, realized PnL and fees', () => {
    const l = new Ledger(d(10_000));
    l.apply({ side: 'buy', quantity: d('0.1'), price: d(60_000), fee: d(6) });
    l.apply({ side: 'buy', quantity: d('0.1'), price: d(62_000), fee: d('6.2') });
    expect(l.avgEntryPrice.toFixed()).toBe('61000');
    expect(l.cash.toFixed()).toBe('-2212.2');
    const realized = l.apply({ side: 'sell', quantity: d('0.2'), price: d(63_000), fee: d('12.6') });
    expect(realized.toFixed()).toBe('400');
    expect(l.quantity.isZero()).toBe(true);
    expect(l.feesPaid.toFixed()).toBe('24.8');
    expect(l.cash.toFixed()).toBe('10375.2'); // 10000 + 400 - 24.8
  });

  it('handles shorts and a flip through zero', () => {
    const l = new Ledger(d(1_000));
    l.apply({ side: 'sell', quantity: d(2), price: d(100), fee: d('0.2') });
    expect(l.quantity.toFixed()).toBe('-2');
    expect(l.unrealizedPnl(d(90)).toFixed()).toBe('20');
    const r = l.apply({ side: 'buy', quantity: d(3), price: d(90), fee: d('0.27') });
    expect(r.toFixed()).toBe('20');
    expect(l.quantity.toFixed()).toBe('1');
    expect(l.avgEntryPrice.toFixed()).toBe('90');
    expect(l.equity(d(90)).toFixed()).toBe(d(1_000).plus(20).minus('0.47').toFixed());
  });

  it('rejects impossible fills', () => {
    const l = new Ledger(d(100));
    expect(() => l.apply({ side: 'buy', quantity: d(0), price: d(1), fee: d(0) })).toThrow(InvariantError);
    expect(() => l.apply({ side: 'buy', quantity: d(1), price: d(-1), fee: d(0) })).toThrow(InvariantError);
    expect(() => l.apply({ side: 'buy', quantity: d(1), price: d(1), fee: d(-1) })).toThrow(InvariantError);
  });

  it('reconciles exactly after any sequence of fills and a snapshot/restore', () => {
    const fill = fc.record({
      side: fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
      qty: fc.integer({ min: 1, max: 500_000 }),
      price: fc.integer({ min: 100_000, max: 10_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(fill, { minLength: 1, maxLength: 60 }), fc.nat({ max: 60 }), (fills, cut) => {
        let l = new Ledger(d('10000'));
        let cashFlow = d(0);
        fills.forEach((f, i) => {
          if (i === cut) l = Ledger.restore(JSON.parse(JSON.stringify(l.snapshot())));
          const quantity = d(f.qty).div(100_000);
          const price = d(f.price).div(100);
          const fee = quantity.times(price).times('0.001');
          l.apply({ side: f.side, quantity, price, fee });
          cashFlow = cashFlow.plus(f.side === 'buy' ? quantity.times(price).negated() : quantity.times(price)).minus(fee);
        });
        const mark = d(fills[fills.length - 1]!.price).div(100);
        // equity = initial + realized + unrealized - fees, to the last 1e-8
        const lhs = l.equity(mark);
        const rhs = d(10_000).plus(l.realizedPnl).plus(l.unrealizedPnl(mark)).minus(l.feesPaid);
        expect(lhs.minus(rhs).abs().lessThan('1e-8')).toBe(true);
        expect(l.cash.minus(d(10_000).plus(cashFlow)).abs().lessThan('1e-8')).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
