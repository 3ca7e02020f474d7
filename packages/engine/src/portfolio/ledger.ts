import { Decimal, ZERO, toDecimalString } from '../core/decimal.js';
import { InvariantError } from '../core/invariant-error.js';

export type Side = 'buy' | 'sell';

export interface LedgerFill {
  side: Side;
  quantity: Decimal;
  price: Decimal;
  fee: Decimal;
}

export interface LedgerSnapshot {
  initialCash: string;
  cash: string;
  quantity: string;
  avgEntryPrice: string;
  realizedPnl: string;
  feesPaid: string;
  /** funds held by open orders, by order id (absent in snapshots of older versions) */
  reserved?: Record<string, string>;
}

/**
 * Cash and one net position (long or short) with average entry price. Realized PnL is the price
 * PnL of reductions (fees excluded); fees are tracked apart. After every fill the ledger checks
 *   cash + quantity × avgEntry = initialCash + realizedPnl − feesPaid
 * exactly (Decimal arithmetic), so equity at any mark = initialCash + realized + unrealized − fees.
 */
export class Ledger {
  private cashValue: Decimal;
  private qty = ZERO;
  private avgEntry = ZERO;
  private realized = ZERO;
  private fees = ZERO;
  private readonly reservations = new Map<string, Decimal>();
  private reservedSum = ZERO;

  constructor(readonly initialCash: Decimal) {
    this.cashValue = initialCash;
  }

  static restore(s: LedgerSnapshot): Ledger {
    const ledger = new Ledger(new Decimal(s.initialCash));
    ledger.cashValue = new Decimal(s.cash);
    ledger.qty = new Decimal(s.quantity);
    ledger.avgEntry = new Decimal(s.avgEntryPrice);
    ledger.realized = new Decimal(s.realizedPnl);
    ledger.fees = new Decimal(s.feesPaid);
    for (const [id, amount] of Object.entries(s.reserved ?? {})) ledger.reserve(id, new Decimal(amount));
    ledger.checkInvariant();
    return ledger;
  }

  get cash(): Decimal {
    return this.cashValue;
  }
  get quantity(): Decimal {
    return this.qty;
  }
  get avgEntryPrice(): Decimal {
    return this.avgEntry;
  }
  get realizedPnl(): Decimal {
    return this.realized;
  }
  get feesPaid(): Decimal {
    return this.fees;
  }

  /** Total quote balance minus what open orders hold. Can be below zero only after losses on a short. */
  get available(): Decimal {
    return this.cashValue.minus(this.reservedSum);
  }
  get reserved(): Decimal {
    return this.reservedSum;
  }
  reservedFor(orderId: string): Decimal {
    return this.reservations.get(orderId) ?? ZERO;
  }

  /** Holds `amount` for an open order (replacing what it held before); zero releases it. */
  reserve(orderId: string, amount: Decimal): void {
    if (amount.isNegative()) throw new InvariantError(`reservation for ${orderId} must not be negative, got ${amount.toFixed()}`);
    const before = this.reservations.get(orderId) ?? ZERO;
    if (amount.isZero()) this.reservations.delete(orderId);
    else this.reservations.set(orderId, amount);
    this.reservedSum = this.reservedSum.minus(before).plus(amount);
    if (this.reservedSum.isNegative()) throw new InvariantError('reserved funds became negative');
  }

  release(orderId: string): void {
    this.reserve(orderId, ZERO);
  }

  unrealizedPnl(markPrice: Decimal): Decimal {
    return this.qty.isZero() ? ZERO : markPrice.minus(this.avgEntry).times(this.qty);
  }

  equity(markPrice: Decimal): Decimal {
    return this.cashValue.plus(this.qty.times(markPrice));
  }

  /** Applies one fill; returns the realized price PnL of the part that reduced the position. */
  apply(fill: LedgerFill): Decimal {
    if (!fill.quantity.isPositive() || fill.quantity.isZero()) throw new InvariantError(`fill quantity must be positive, got ${fill.quantity.toFixed()}`);
    if (!fill.price.isPositive() || fill.price.isZero()) throw new InvariantError(`fill price must be positive, got ${fill.price.toFixed()}`);
    if (fill.fee.isNegative()) throw new InvariantError(`fee must not be negative, got ${fill.fee.toFixed()}`);
    const signed = fill.side === 'buy' ? fill.quantity : fill.quantity.negated();
    let realizedNow = ZERO;
    const sameDirection = this.qty.isZero() || this.qty.isPositive() === signed.isPositive();
    if (sameDirection) {
      const newQty = this.qty.plus(signed);
      this.avgEntry = this.qty.times(this.avgEntry).plus(signed.times(fill.price)).div(newQty);
      this.qty = newQty;
    } else {
      const closing = Decimal.min(this.qty.abs(), fill.quantity);
      const direction = this.qty.isPositive() ? 1 : -1;
      realizedNow = fill.price.minus(this.avgEntry).times(closing).times(direction);
      const newQty = this.qty.plus(signed);
      if (newQty.isZero()) {
        this.avgEntry = ZERO;
      } else if (newQty.isPositive() !== this.qty.isPositive()) {
        this.avgEntry = fill.price; // flipped: the remainder opened at the fill price
      }
      this.qty = newQty;
    }
    this.cashValue = this.cashValue.minus(signed.times(fill.price)).minus(fill.fee);
    this.realized = this.realized.plus(realizedNow);
    this.fees = this.fees.plus(fill.fee);
    this.checkInvariant();
    return realizedNow;
  }

  snapshot(): LedgerSnapshot {
    return {
      initialCash: toDecimalString(this.initialCash),
      cash: toDecimalString(this.cashValue),
      quantity: toDecimalString(this.qty),
      avgEntryPrice: toDecimalString(this.avgEntry),
      realizedPnl: toDecimalString(this.realized),
      feesPaid: toDecimalString(this.fees),
      reserved: Object.fromEntries([...this.reservations].map(([id, a]) => [id, toDecimalString(a)])),
    };
  }

  private checkInvariant(): void {
    const lhs = this.cashValue.plus(this.qty.times(this.avgEntry));
    const rhs = this.initialCash.plus(this.realized).minus(this.fees);
    // Division in the average entry price can leave a remainder beyond 40 significant digits.
    if (lhs.minus(rhs).abs().greaterThan('1e-18')) {
      throw new InvariantError(`ledger does not balance: cash+position at cost ${lhs.toFixed()} != initial+realized-fees ${rhs.toFixed()}`);
    }
    if (this.fees.isNegative()) throw new InvariantError('fees paid became negative');
    let sum = ZERO;
    for (const a of this.reservations.values()) {
      if (a.isNegative()) throw new InvariantError('a reservation became negative');
      sum = sum.plus(a);
    }
    if (!sum.eq(this.reservedSum)) throw new InvariantError(`reserved total ${this.reservedSum.toFixed()} != sum of reservations ${sum.toFixed()}`);
  }
}
