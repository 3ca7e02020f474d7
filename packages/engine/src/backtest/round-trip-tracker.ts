import type { CoreTrade } from '../kernel/trading-core.js';
import type { ClosedTrade } from './statistics.js';

/** Pairs fills into round trips (flat → position → flat) for win rate and profit factor. */
export class RoundTripTracker {
  private open: { side: 'long' | 'short'; entryTime: number; cost: number; qty: number; fees: number; realized: number } | null = null;
  readonly closed: ClosedTrade[] = [];

  add(trade: CoreTrade): void {
    const qty = trade.quantity.toNumber();
    const price = trade.price.toNumber();
    const fee = trade.fee.toNumber();
    const after = trade.positionAfter.toNumber();
    if (this.open === null) {
      this.open = { side: trade.side === 'buy' ? 'long' : 'short', entryTime: trade.time, cost: qty * price, qty, fees: fee, realized: 0 };
      return;
    }
    const o = this.open;
    o.fees += fee;
    o.realized += trade.realizedPnl.toNumber();
    const increasing = (o.side === 'long') === (trade.side === 'buy');
    if (increasing) {
      o.cost += qty * price;
      o.qty += qty;
    }
    if (after === 0) {
      this.closed.push({ side: o.side, entryTime: o.entryTime, exitTime: trade.time, entryPrice: o.cost / o.qty, exitPrice: price, quantity: o.qty, netPnl: o.realized - o.fees, fees: o.fees });
      this.open = null;
    }
  }
}
