import { Decimal, ZERO } from '../core/decimal.js';
import { InvariantError } from '../core/invariant-error.js';
import type { Side } from '../portfolio/ledger.js';

/** One price level of a book side. */
export interface BookLevel {
  readonly price: Decimal;
  readonly quantity: Decimal;
}

/**
 * A view of the venue's book at `time`: bids best (highest) first, asks best (lowest) first. A
 * bookTicker is a book with one level per side; a depth update carries several.
 */
export interface BookUpdate {
  readonly time: number;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

/** A public trade printed by the venue. */
export interface TradePrint {
  readonly time: number;
  readonly price: Decimal;
  readonly quantity: Decimal;
}

export interface LevelTake {
  price: Decimal;
  quantity: Decimal;
}

/**
 * The simulated exchange's execution book (not the venue's depth book, `DepthBook` in
 * @btc-research/binance): the last book the simulated exchange knows, plus the liquidity paper fills
 * have consumed from it. Consumption is remembered per price level and forgotten only when a new
 * book arrives: two paper orders in a row cannot both take the same displayed quantity.
 */
export class LiveBook {
  private consumed = new Map<string, Decimal>();

  constructor(readonly book: BookUpdate) {
    checkSide(book.bids, 'bid');
    checkSide(book.asks, 'ask');
    const bb = book.bids[0];
    const ba = book.asks[0];
    if (bb && ba && bb.price.greaterThanOrEqualTo(ba.price)) throw new InvariantError(`crossed book at ${book.time}: bid ${bb.price.toFixed()} >= ask ${ba.price.toFixed()}`);
  }

  get time(): number {
    return this.book.time;
  }

  bestBid(): Decimal | null {
    return this.book.bids[0]?.price ?? null;
  }

  bestAsk(): Decimal | null {
    return this.book.asks[0]?.price ?? null;
  }

  mid(): Decimal | null {
    const b = this.bestBid();
    const a = this.bestAsk();
    if (b && a) return b.plus(a).div(2);
    return b ?? a;
  }

  /** Liquidity still available at a level after earlier paper fills. */
  available(side: 'bid' | 'ask', level: BookLevel): Decimal {
    const used = this.consumed.get(`${side}:${level.price.toFixed()}`) ?? ZERO;
    const left = level.quantity.minus(used);
    return left.isNegative() ? ZERO : left;
  }

  /**
   * Walks the side a taker order of `side` hits (buy → asks, sell → bids) for up to `quantity`,
   * never past `limit` when given, and consumes what it takes.
   */
  take(side: Side, quantity: Decimal, limit: Decimal | null): LevelTake[] {
    const out = this.peek(side, quantity, limit);
    for (const t of out) this.consume(side, t.price, t.quantity);
    return out;
  }

  /** What `take` would return, without consuming anything. */
  peek(side: Side, quantity: Decimal, limit: Decimal | null): LevelTake[] {
    const bookSide = side === 'buy' ? 'ask' : 'bid';
    const levels = side === 'buy' ? this.book.asks : this.book.bids;
    const out: LevelTake[] = [];
    let remaining = quantity;
    for (const level of levels) {
      if (remaining.isZero()) break;
      if (limit !== null && (side === 'buy' ? level.price.greaterThan(limit) : level.price.lessThan(limit))) break;
      const left = this.available(bookSide, level);
      if (left.isZero()) continue;
      const q = Decimal.min(left, remaining);
      out.push({ price: level.price, quantity: q });
      remaining = remaining.minus(q);
    }
    return out;
  }

  /** Marks `quantity` at `price` on the side a taker of `side` hits as used by a paper fill. */
  consume(side: Side, price: Decimal, quantity: Decimal): void {
    if (quantity.isZero()) return;
    const key = `${side === 'buy' ? 'ask' : 'bid'}:${price.toFixed()}`;
    this.consumed.set(key, (this.consumed.get(key) ?? ZERO).plus(quantity));
  }

  /** Quantity on the side `side` would hit that is strictly better than `price` for a resting order (book crossed through it). */
  quantityThrough(restingSide: Side, price: Decimal): Decimal {
    // a resting buy at P is crossed by asks below P; a resting sell by bids above P
    const levels = restingSide === 'buy' ? this.book.asks : this.book.bids;
    let sum = ZERO;
    for (const level of levels) {
      if (restingSide === 'buy' ? !level.price.lessThan(price) : !level.price.greaterThan(price)) break;
      sum = sum.plus(this.available(restingSide === 'buy' ? 'ask' : 'bid', level));
    }
    return sum;
  }

  /** Consumes `quantity` of the through-levels (a resting order filled by a crossing book). */
  consumeThrough(restingSide: Side, price: Decimal, quantity: Decimal): void {
    const opposite: Side = restingSide === 'buy' ? 'buy' : 'sell';
    this.take(opposite, quantity, price);
  }
}

function checkSide(levels: readonly BookLevel[], name: string): void {
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (!l.price.isPositive() || l.price.isZero()) throw new InvariantError(`${name} level ${i} has a non-positive price`);
    if (l.quantity.isNegative()) throw new InvariantError(`${name} level ${i} has a negative quantity`);
    const prev = levels[i - 1];
    if (prev && (name === 'bid' ? !l.price.lessThan(prev.price) : !l.price.greaterThan(prev.price))) {
      throw new InvariantError(`${name} levels are not sorted best first at level ${i}`);
    }
  }
}
