import { Decimal, ZERO } from '../core/decimal.js';
import type { Ledger, Side } from '../portfolio/ledger.js';

/** What a funds model reads of an order (a SimOrder satisfies it). */
export interface FundsOrder {
  readonly id: string;
  readonly side: Side;
  readonly quantity: Decimal;
  readonly reduceOnly: boolean;
  /** the price the decision was taken on (the close of the decision bar) */
  readonly decisionPrice: Decimal;
  /** orders decided at the same time were submitted together (one bar's orders) */
  readonly decidedAt: number;
}

/** Prices and rates the exchange works out for a check. */
export interface FundsContext {
  /** the price funds are held at: the limit, else the stop or arrival mid plus the modelled costs */
  readonly referencePrice: Decimal;
  readonly takerFeeRate: Decimal;
  /** currency of the amounts in messages */
  readonly quote: string;
}

/** One fill about to be applied. */
export interface FillAttempt {
  readonly quantity: Decimal;
  readonly price: Decimal;
  readonly fee: Decimal;
}

export type Admission = { readonly ok: true; readonly hold: Decimal } | { readonly ok: false; readonly message: string };

/**
 * How an order's money is checked: when it reaches the venue (refused with INSUFFICIENT_BALANCE, or
 * accepted holding some funds) and before each of its fills. The instrument rules (step, tick,
 * minimum notional, reduce-only needing a position) are the exchange's and come first.
 */
export interface FundsModel {
  readonly name: string;
  admit(order: FundsOrder, ledger: Ledger, context: FundsContext): Admission;
  /** null when a fill of `quantity` at `price` paying `fee` may happen, else why not */
  checkFill(order: FundsOrder, fill: FillAttempt, ledger: Ledger, quote: string): string | null;
  /** what the rest of a partly filled order holds from now on */
  holdForRest(order: FundsOrder, rest: Decimal, ledger: Ledger, context: FundsContext): Decimal;
}

const signedQuantity = (side: Side, quantity: Decimal): Decimal => (side === 'buy' ? quantity : quantity.negated());

/** Does an order on `side` reduce the position `position`? */
const reduces = (position: Decimal, side: Side): boolean => !position.isZero() && position.isPositive() === (side === 'sell');

/** The part of `quantity` that opens or adds to a position (the rest closes). */
function exposureIncrease(side: Side, quantity: Decimal, position: Decimal): Decimal {
  if (!reduces(position, side)) return quantity;
  const excess = quantity.minus(position.abs());
  return excess.isPositive() ? excess : ZERO;
}

/**
 * Default: an order holds what it may cost — its exposure increase at the reference price plus the
 * taker fee, for a short as for a long (a short holds its notional plus fees) — and is refused when
 * the available balance is short. At each fill a buy that adds exposure needs that much free cash and
 * a sell that adds exposure needs equity for the whole short. Reducing orders are never refused.
 */
export function reservedFundsModel(): FundsModel {
  const holdFor = (order: FundsOrder, quantity: Decimal, ledger: Ledger, context: FundsContext): Decimal =>
    exposureIncrease(order.side, quantity, ledger.quantity).times(context.referencePrice).times(context.takerFeeRate.plus(1));
  return {
    name: 'reserved-funds',
    admit(order, ledger, context) {
      if (order.reduceOnly) return { ok: true, hold: ZERO };
      const hold = holdFor(order, order.quantity, ledger, context);
      if (!hold.isZero() && ledger.available.lessThan(hold)) {
        return { ok: false, message: `needs ${hold.toDecimalPlaces(8).toFixed()} ${context.quote}, available ${ledger.available.toDecimalPlaces(8).toFixed()}` };
      }
      return { ok: true, hold };
    },
    checkFill(order, { quantity, price, fee }, ledger, quote) {
      if (order.reduceOnly) return null;
      const notional = quantity.times(price);
      const ownHold = ledger.reservedFor(order.id);
      const freeCash = ledger.cash.minus(ledger.reserved).plus(ownHold);
      const increases = ledger.quantity.isZero() || ledger.quantity.isPositive() === (order.side === 'buy');
      if (!increases) return null;
      const enough =
        order.side === 'buy'
          ? freeCash.greaterThanOrEqualTo(notional.plus(fee))
          : ledger.equity(price).minus(ledger.reserved).plus(ownHold).minus(fee).greaterThanOrEqualTo(ledger.quantity.abs().plus(quantity).times(price));
      return enough ? null : `fill of ${quantity.toFixed()} at ${price.toFixed()} needs ${notional.plus(fee).toDecimalPlaces(8).toFixed()} ${quote}, free ${freeCash.toDecimalPlaces(8).toFixed()}`;
    },
    holdForRest(order, rest, ledger, context) {
      return order.reduceOnly ? ZERO : holdFor(order, rest, ledger, context);
    },
  };
}

/**
 * Backtrader's broker (`BackBroker` with `checksubmit` and `shortcash`, 1.9.78), which the original
 * btc_research used (compat §6.4), for compat: legacy. Nothing is held. Orders decided on one bar are
 * checked one after another, each "pseudo-executed" at its decision price (the bar's close) with its
 * commission against a *running* cash figure and position that start from the account's: a sale adds
 * its proceeds, a purchase — a buy that closes a short included — takes its cost, and an order is
 * refused when the running cash ends below zero. A refused order's deduction is not given back before
 * the next order of the bar is checked. At the fill (the next open) the part that opens a position is
 * refused when the cash after it would be below zero; closing is never refused there.
 *
 * The running figures are fields (not closure state) so that a core's state image carries them.
 */
export class BacktraderCashCheck implements FundsModel {
  readonly name = 'backtrader-cash-check';
  /** decision time of the bar whose orders are being checked, and the running cash and position */
  private batchTime = Number.NaN;
  private batchCash: Decimal = ZERO;
  private batchPosition: Decimal = ZERO;

  admit(order: FundsOrder, ledger: Ledger, context: FundsContext): Admission {
    if (order.decidedAt !== this.batchTime) {
      this.batchTime = order.decidedAt;
      this.batchCash = ledger.cash;
      this.batchPosition = ledger.quantity;
    }
    const price = order.decisionPrice;
    const size = signedQuantity(order.side, order.quantity);
    const { opened, closed } = splitUpdate(this.batchPosition, size);
    // shortcash: closing gives back (−closed) × price (negative when a short is bought back)
    let cash = this.batchCash.plus(closed.negated().times(price)).minus(closed.abs().times(price).times(context.takerFeeRate));
    cash = cash.minus(opened.times(price)).minus(opened.abs().times(price).times(context.takerFeeRate));
    this.batchCash = cash;
    this.batchPosition = this.batchPosition.plus(size);
    if (cash.isNegative()) {
      return { ok: false, message: `Backtrader's submission check: cash after this bar's orders at the decision price ${price.toFixed()} would be ${cash.toDecimalPlaces(8).toFixed()} ${context.quote}` };
    }
    return { ok: true, hold: ZERO };
  }

  checkFill(order: FundsOrder, { quantity, price, fee }: FillAttempt, ledger: Ledger, quote: string): string | null {
    const size = signedQuantity(order.side, quantity);
    const { opened } = splitUpdate(ledger.quantity, size);
    if (opened.isZero()) return null;
    // the closing part (if any) settles first, then the opening part must leave cash ≥ 0. Backtrader
    // would still execute the closing part of a refused reversal; legacy decisions never reverse
    // (entries only from flat, exits close exactly), so a refused fill is refused whole here.
    const cashAfter = ledger.cash.minus(size.times(price)).minus(fee);
    if (!cashAfter.isNegative()) return null;
    return `Backtrader's execution check: opening ${opened.abs().toFixed()} at ${price.toFixed()} would leave cash ${cashAfter.toDecimalPlaces(8).toFixed()} ${quote}`;
  }

  holdForRest(): Decimal {
    return ZERO;
  }
}

export function backtraderCashCheck(): FundsModel {
  return new BacktraderCashCheck();
}

/**
 * Backtrader's `Position.update`: the parts of a signed `size` that open (or add to) and close the
 * signed `position`, each with the sign of `size`.
 */
export function splitUpdate(position: Decimal, size: Decimal): { opened: Decimal; closed: Decimal } {
  const after = position.plus(size);
  if (after.isZero()) return { opened: ZERO, closed: size };
  if (position.isZero()) return { opened: size, closed: ZERO };
  if (position.isPositive() === size.isPositive()) return { opened: size, closed: ZERO };
  if (after.isPositive() === position.isPositive()) return { opened: ZERO, closed: size };
  return { opened: after, closed: position.negated() };
}
