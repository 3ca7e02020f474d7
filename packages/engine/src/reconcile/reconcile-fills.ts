import { Decimal, ZERO, dec } from '../core/decimal.js';
import type { CoreTrade } from '../kernel/trading-core.js';
import type { Candle } from '../model/candle.js';

/** A fill as the paper trader stored it (decimals as strings; the fill-quality block may be absent in old records). */
export interface PaperFillRecord {
  tradeId: string;
  orderId: string;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  fee: string;
  time: number;
  reason: string;
  quality?: { arrivalMid: string } | undefined;
}

/** One fill, from the paper trader's record or from a run of the core, in exact decimals. */
export interface ReconcileFill {
  tradeId: string;
  orderId: string;
  side: 'buy' | 'sell';
  quantity: Decimal;
  price: Decimal;
  fee: Decimal;
  time: number;
  reason: string;
  /** mid when the order reached the venue; null when not recorded */
  arrivalMid: Decimal | null;
}

export function fillFromRecord(r: PaperFillRecord): ReconcileFill {
  const mid = r.quality?.arrivalMid;
  return {
    tradeId: r.tradeId,
    orderId: r.orderId,
    side: r.side,
    quantity: new Decimal(r.quantity),
    price: new Decimal(r.price),
    fee: new Decimal(r.fee),
    time: r.time,
    reason: r.reason,
    arrivalMid: mid === undefined || mid === '0' ? null : new Decimal(mid),
  };
}

export function fillFromTrade(t: CoreTrade): ReconcileFill {
  const mid = t.quality.arrivalMid;
  return { tradeId: t.tradeId, orderId: t.orderId, side: t.side, quantity: t.quantity, price: t.price, fee: t.fee, time: t.time, reason: t.reason, arrivalMid: mid === '0' ? null : new Decimal(mid) };
}

/** Signed quantity of a fill: + for a buy, − for a sell. */
function signed(f: Pick<ReconcileFill, 'side' | 'quantity'>): Decimal {
  return f.side === 'buy' ? f.quantity : f.quantity.negated();
}

/** What a fill paid against the mid when its order arrived (positive = worse than the mid), in quote. */
export function executionCost(f: ReconcileFill): Decimal {
  if (f.arrivalMid === null) return ZERO;
  const diff = f.side === 'buy' ? f.price.minus(f.arrivalMid) : f.arrivalMid.minus(f.price);
  return diff.times(f.quantity);
}

export interface EquityPoint {
  time: number;
  equity: Decimal;
}

/**
 * The account's equity at every candle close, rebuilt exactly from its fills: cash moves by
 * −(signed quantity × price) − fee per fill, equity = cash + position × close.
 */
export function equityAtCloses(fills: readonly ReconcileFill[], candles: readonly Candle[], initialCash: Decimal): EquityPoint[] {
  const out: EquityPoint[] = [];
  let cash = initialCash;
  let position = ZERO;
  let i = 0;
  for (const c of candles) {
    while (i < fills.length && fills[i]!.time <= c.closeTime) {
      const f = fills[i]!;
      cash = cash.minus(signed(f).times(f.price)).minus(f.fee);
      position = position.plus(signed(f));
      i += 1;
    }
    out.push({ time: c.closeTime, equity: position.isZero() ? cash : cash.plus(position.times(dec(c.close))) });
  }
  return out;
}

/** Equity at time t: the last point at or before it, else the initial cash. */
export function equityAt(points: readonly EquityPoint[], t: number, initialCash: Decimal): Decimal {
  let lo = 0;
  let hi = points.length - 1;
  let found: EquityPoint | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.time <= t) {
      found = points[mid]!;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found?.equity ?? initialCash;
}

/** A position from flat back to flat. Prices are volume-weighted over the entry and the exit fills. */
export interface RoundTrip {
  side: 'long' | 'short';
  entryTime: number;
  exitTime: number;
  entryPrice: Decimal;
  exitPrice: Decimal;
  quantity: Decimal;
  fees: Decimal;
  /** Σ execution cost against the arrival mid of its fills (spread, slippage, book depth) */
  executionCost: Decimal;
  /** cash in minus cash out, fees included */
  netPnl: Decimal;
  entryOrderIds: string[];
  exitOrderIds: string[];
}

/** Pairs fills into round trips; a fill that flips the position closes one trip and opens the next with its remainder. */
export function roundTripsOf(fills: readonly ReconcileFill[]): RoundTrip[] {
  const done: RoundTrip[] = [];
  let open: { side: 'long' | 'short'; entryTime: number; inQty: Decimal; inNotional: Decimal; outQty: Decimal; outNotional: Decimal; fees: Decimal; cost: Decimal; cash: Decimal; entryIds: Set<string>; exitIds: Set<string>; exitTime: number } | null = null;
  let position = ZERO;
  for (const f of fills) {
    let qty = f.quantity;
    while (qty.greaterThan(0)) {
      if (open === null) {
        open = { side: f.side === 'buy' ? 'long' : 'short', entryTime: f.time, inQty: ZERO, inNotional: ZERO, outQty: ZERO, outNotional: ZERO, fees: ZERO, cost: ZERO, cash: ZERO, entryIds: new Set(), exitIds: new Set(), exitTime: f.time };
      }
      const increasing = (open.side === 'long') === (f.side === 'buy');
      const part = increasing ? qty : Decimal.min(qty, position.abs());
      const share = part.div(f.quantity);
      const fee = f.fee.times(share);
      const piece: ReconcileFill = { ...f, quantity: part, fee };
      open.fees = open.fees.plus(fee);
      open.cost = open.cost.plus(executionCost(piece));
      open.cash = open.cash.minus(signed(piece).times(f.price)).minus(fee);
      if (increasing) {
        open.inQty = open.inQty.plus(part);
        open.inNotional = open.inNotional.plus(part.times(f.price));
        open.entryIds.add(f.orderId);
      } else {
        open.outQty = open.outQty.plus(part);
        open.outNotional = open.outNotional.plus(part.times(f.price));
        open.exitIds.add(f.orderId);
        open.exitTime = f.time;
      }
      position = position.plus(signed(piece));
      qty = qty.minus(part);
      if (position.isZero()) {
        done.push({
          side: open.side,
          entryTime: open.entryTime,
          exitTime: open.exitTime,
          entryPrice: open.inNotional.div(open.inQty),
          exitPrice: open.outNotional.div(open.outQty),
          quantity: open.inQty,
          fees: open.fees,
          executionCost: open.cost,
          netPnl: open.cash,
          entryOrderIds: [...open.entryIds],
          exitOrderIds: [...open.exitIds],
        });
        open = null;
      }
    }
  }
  return done;
}
