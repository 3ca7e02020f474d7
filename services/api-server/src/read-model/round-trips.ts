import { Decimal, ZERO, toDecimalString, type ClosedTrade } from '@btc-research/engine';
import type { TradeRecord } from '@btc-research/platform';

/** A closed round trip with the exact money and the reasons the strategy gave for its fills. */
export interface RoundTrip extends ClosedTrade {
  /** realized price PnL before fees (Decimal string) */
  grossPnlExact: string;
  feesExact: string;
  /** gross − fees: what the statistics count a win or a loss by */
  netPnlExact: string;
  entryReason: string;
  exitReason: string;
}

interface OpenTrip {
  side: 'long' | 'short';
  entryTime: number;
  entryReason: string;
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
 * Incremental: feed fills as they arrive.
 */
export class RoundTripTracker {
  readonly closed: RoundTrip[] = [];
  private position = ZERO;
  private trip: OpenTrip | null = null;

  get isOpen(): boolean {
    return this.trip !== null;
  }

  add(f: TradeRecord): void {
    const total = new Decimal(f.quantity);
    let qty = total;
    const price = new Decimal(f.price);
    const signed = f.side === 'buy' ? 1 : -1;
    let fee = new Decimal(f.fee);
    let realized = new Decimal(f.realizedPnl);
    while (qty.gt(0)) {
      const trip: OpenTrip = (this.trip ??= {
        side: signed > 0 ? 'long' : 'short',
        entryTime: f.time,
        entryReason: f.reason,
        entryQty: ZERO,
        entryNotional: ZERO,
        exitQty: ZERO,
        exitNotional: ZERO,
        realized: ZERO,
        fees: ZERO,
      });
      const isIncreasing = (trip.side === 'long') === signed > 0;
      const part = isIncreasing ? qty : Decimal.min(qty, this.position.abs());
      const partFee = qty.eq(part) ? fee : fee.times(part.div(total));
      trip.fees = trip.fees.plus(partFee);
      fee = fee.minus(partFee);
      this.position = this.position.plus(part.times(signed));
      if (isIncreasing) {
        trip.entryQty = trip.entryQty.plus(part);
        trip.entryNotional = trip.entryNotional.plus(part.times(price));
      } else {
        trip.exitQty = trip.exitQty.plus(part);
        trip.exitNotional = trip.exitNotional.plus(part.times(price));
        trip.realized = trip.realized.plus(realized);
        realized = ZERO;
        if (this.position.isZero()) {
          this.closed.push({
            side: trip.side,
            entryTime: trip.entryTime,
            exitTime: f.time,
            entryPrice: trip.entryNotional.div(trip.entryQty).toNumber(),
            exitPrice: trip.exitNotional.div(trip.exitQty).toNumber(),
            quantity: trip.entryQty.toNumber(),
            netPnl: trip.realized.minus(trip.fees).toNumber(),
            fees: trip.fees.toNumber(),
            grossPnlExact: toDecimalString(trip.realized),
            feesExact: toDecimalString(trip.fees),
            netPnlExact: toDecimalString(trip.realized.minus(trip.fees)),
            entryReason: trip.entryReason,
            exitReason: f.reason,
          });
          this.trip = null;
        }
      }
      qty = qty.minus(part);
      if (part.isZero()) break;
    }
  }
}

export function roundTrips(fillsOldestFirst: readonly TradeRecord[]): { closed: RoundTrip[]; open: boolean } {
  const tracker = new RoundTripTracker();
  for (const f of fillsOldestFirst) tracker.add(f);
  return { closed: tracker.closed, open: tracker.isOpen };
}
