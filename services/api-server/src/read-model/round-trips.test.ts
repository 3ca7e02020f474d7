import { describe, expect, it } from 'vitest';
import { fill } from '../test-support/harness.js';
import { roundTrips } from './round-trips.js';

describe('roundTrips', () => {
  it('pairs a scaled-in long and a partial exit sequence into one trip with fees netted', () => {
    const fills = [
      fill('s', 0, { side: 'buy', quantity: '0.01', price: '100', fee: '0.1', realizedPnl: '0', time: 1 }),
      fill('s', 2, { side: 'buy', quantity: '0.03', price: '200', fee: '0.3', realizedPnl: '0', time: 2 }),
      fill('s', 4, { side: 'sell', quantity: '0.02', price: '300', fee: '0.2', realizedPnl: '2.5', time: 3 }),
      fill('s', 6, { side: 'sell', quantity: '0.02', price: '300', fee: '0.2', realizedPnl: '2.5', time: 4 }),
    ];
    const { closed, open } = roundTrips(fills);
    expect(open).toBe(false);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ side: 'long', entryTime: 1, exitTime: 4, entryPrice: 175, exitPrice: 300, quantity: 0.04, fees: 0.8 });
    expect(closed[0]?.netPnl).toBeCloseTo(4.2, 12);
    // exact money: 5 gross − 0.8 fees; the trip opened and closed for the fills' own reasons
    expect(closed[0]).toMatchObject({ grossPnlExact: '5', feesExact: '0.8', netPnlExact: '4.2', entryReason: fills[0]!.reason, exitReason: fills[3]!.reason });
  });

  it('leaves an open position out and handles shorts', () => {
    const fills = [
      fill('s', 1, { side: 'sell', quantity: '1', price: '50', fee: '0', realizedPnl: '0', time: 1 }),
      fill('s', 2, { side: 'buy', quantity: '1', price: '40', fee: '0', realizedPnl: '10', time: 2 }),
      fill('s', 3, { side: 'buy', quantity: '1', price: '40', fee: '0', realizedPnl: '0', time: 3 }),
    ];
    const { closed, open } = roundTrips(fills);
    expect(open).toBe(true);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ side: 'short', entryTime: 1, exitTime: 2, entryPrice: 50, exitPrice: 40, quantity: 1, netPnl: 10, fees: 0, grossPnlExact: '10', netPnlExact: '10' });
  });
});
