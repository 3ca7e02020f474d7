import { describe, expect, it } from 'vitest';
import { Decimal, toDecimalString } from '../core/decimal.js';
import { equityAtCloses, roundTripsOf, type ReconcileFill } from './reconcile-fills.js';
import { pairRoundTrips } from './round-trip-pairing.js';

let n = 0;
function fill(side: 'buy' | 'sell', quantity: string, price: string, time: number, fee = '1', arrivalMid: string | null = null): ReconcileFill {
  n += 1;
  return { tradeId: `t${n}`, orderId: `o${n}`, side, quantity: new Decimal(quantity), price: new Decimal(price), fee: new Decimal(fee), time, reason: 'x', arrivalMid: arrivalMid === null ? null : new Decimal(arrivalMid) };
}

describe('round trips of fills', () => {
  it('pairs flat → position → flat with volume-weighted prices, fees, execution cost and net PnL; a flip closes one trip and opens the next', () => {
    const trips = roundTripsOf([
      fill('buy', '1', '100', 1, '1', '99.5'),
      fill('buy', '1', '110', 2, '1', '110'),
      fill('sell', '3', '120', 3, '3'), // closes 2 long, opens 1 short
      fill('buy', '1', '115', 4, '1'),
    ]);
    expect(trips.map((t) => [t.side, t.entryTime, t.exitTime, toDecimalString(t.entryPrice), toDecimalString(t.exitPrice), toDecimalString(t.quantity), toDecimalString(t.fees), toDecimalString(t.executionCost), toDecimalString(t.netPnl)])).toEqual([
      ['long', 1, 3, '105', '120', '2', '4', '0.5', '26'], // 240 − 210 − fees 1 + 1 + 2
      ['short', 3, 4, '120', '115', '1', '2', '0', '3'], // 120 − 115 − fees 1 + 1
    ]);
  });

  it('rebuilds equity at each candle close from the fills', () => {
    const candle = (closeTime: number, close: number) => ({ openTime: closeTime - 60_000, closeTime, open: close, high: close, low: close, close, volume: 1 });
    const eq = equityAtCloses([fill('buy', '2', '100', 60_000, '1'), fill('sell', '2', '105', 120_001, '1')], [candle(60_000, 101), candle(120_000, 103), candle(180_000, 90)], new Decimal(1000));
    expect(eq.map((e) => [e.time, toDecimalString(e.equity)])).toEqual([
      [60_000, '1001'], // 1000 − 200 − 1 + 2 × 101
      [120_000, '1005'],
      [180_000, '1008'], // 1000 − 200 − 1 + 210 − 1
    ]);
  });

  it('pairs paper and backtest trips by side and entry time; the rest are missed or extra', () => {
    const [a, b, c] = roundTripsOf([fill('buy', '1', '100', 1_000, '0'), fill('sell', '1', '101', 2_000, '0'), fill('sell', '1', '100', 10_000, '0'), fill('buy', '1', '99', 11_000, '0'), fill('buy', '1', '100', 50_000, '0'), fill('sell', '1', '100', 60_000, '0')]);
    const [x, y] = roundTripsOf([fill('buy', '1', '100', 1_500, '0'), fill('sell', '1', '101', 2_500, '0'), fill('buy', '1', '100', 10_000, '0'), fill('sell', '1', '101', 12_000, '0')]);
    const p = pairRoundTrips([a!, b!, c!], [x!, y!], 1_000);
    expect(p.paired).toEqual([{ paper: a, backtest: x }]);
    expect(p.extra).toEqual([b, c]); // b is a short where the backtest went long
    expect(p.missed).toEqual([y]);
  });
});
