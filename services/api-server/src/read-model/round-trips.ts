import { Decimal, ZERO, type ClosedTrade } from '@btc-research/engine';
import type { TradeRecord } from '@btc-research/platform';

interface OpenTrip {
  side: 'long' | 'short';
  entryTime: number;
  entryQty: Decimal;
  entryNotional: Decimal;
  exitQty: Decimal;
  exitNotional: Decimal;
  realized: Decimal;
  fees: Decimal;
}

/**
 * Pairs fills (oldest first) into round trips, flat → position → flat, the unit the engine's
 * statistics count: net PnL is the realized price PnL minus the fees of every fill of the trip.
 */
export function roundTrips(fillsOldestFirst: readonly TradeRecord[]): { closed: ClosedTrade[]; open: boolean } {
  const closed: ClosedTrade[] = [];
  let position = ZERO;
  let trip: OpenTrip | null = null;
  for (const f of fillsOldestFirst) {
    let qty = new Decimal(f.quantity);
    const price = new Decimal(f.price);
    const signed = f.side === 'buy' ? 1 : -1;
    let fee = new Decimal(f.fee);
    let realized = new Decimal(f.realizedPnl);
    while (qty.gt(0)) {
      if (!trip) {
        trip = { side: signed > 0 ? 'long' : 'short', entryTime: f.time, entryQty: ZERO, entryNotional: ZERO, exitQty: ZERO, exitNotional: ZERO, realized: ZERO, fees: ZERO };
      }
      const isIncreasing = (trip.side === 'long') === signed > 0;
      const part = isIncreasing ? qty : Decimal.min(qty, position.abs());
      const share = part.div(new Decimal(f.quantity));
      const partFee = qty.eq(part) ? fee : fee.times(share);
      trip.fees = trip.fees.plus(partFee);
      fee = fee.minus(partFee);
      if (isIncreasing) {
        trip.entryQty = trip.entryQty.plus(part);
        trip.entryNotional = trip.entryNotional.plus(part.times(price));
        position = position.plus(part.times(signed));
      } else {
        trip.exitQty = trip.exitQty.plus(part);
        trip.exitNotional = trip.exitNotional.plus(part.times(price));
        trip.realized = trip.realized.plus(realized);
        realized = ZERO;
        position = position.plus(part.times(signed));
        if (position.isZero()) {
          const net = trip.realized.minus(trip.fees);
          closed.push({
            side: trip.side,
            entryTime: trip.entryTime,
            exitTime: f.time,
            entryPrice: trip.entryNotional.div(trip.entryQty).toNumber(),
            exitPrice: trip.exitNotional.div(trip.exitQty).toNumber(),
            quantity: trip.entryQty.toNumber(),
            netPnl: net.toNumber(),
            fees: trip.fees.toNumber(),
          });
          trip = null;
        }
      }
      qty = qty.minus(part);
      if (part.isZero()) break;
    }
  }
  return { closed, open: trip !== null };
}
