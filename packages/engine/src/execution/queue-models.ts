import { Decimal, ZERO } from '../core/decimal.js';
import type { Side } from '../portfolio/ledger.js';
import type { LiveBook } from './live-book.js';

/**
 * When a resting limit order fills from live books and public trades (docs/execution.md). In every
 * model a trade printing strictly through the order's price, or a book crossing it, fills it: the
 * whole level it stood in was taken. What differs is a trade exactly at its price. The queue ahead
 * is the venue's quantity in front of the paper order at its price level; `null` means unknown
 * (not tracked, or the level lies deeper than the book shows). With candles only, every model
 * settles resting orders along the O→H→L→C path.
 */
export interface QueueModel {
  readonly name: 'trade-through' | 'queue-position';
  /** The queue ahead of an order that starts resting at `price` on `side`, from the book it meets. */
  join(side: Side, price: Decimal, book: LiveBook | null): Decimal | null;
  /** A new book: volume ahead that left it no longer stands in front of the order. */
  onBook(side: Side, price: Decimal, ahead: Decimal | null, book: LiveBook): Decimal | null;
  /** A public trade of `quantity` at the order's own price: how much of it reaches the order, and the queue left ahead. */
  atPrice(ahead: Decimal | null, quantity: Decimal): { reaches: Decimal; ahead: Decimal | null };
}

/** Today's rule: trades at the order's price never fill it (it might be last in the queue). */
export function tradeThroughQueue(): QueueModel {
  return {
    name: 'trade-through',
    join: () => null,
    onBook: () => null,
    atPrice: () => ({ reaches: ZERO, ahead: null }),
  };
}

/**
 * Queue position (as nautilus_trader's paper venue): an order joins the back of its price level, so
 * everything displayed there when it starts resting is ahead of it. Trades at its price first
 * consume that volume, then fill the order; a book showing less at the level means volume ahead was
 * cancelled (the queue can only shrink: volume that joins later stands behind). A level deeper than
 * the book shows is unknown until a book shows it; while unknown, trades at the price fill nothing.
 */
export function queuePositionModel(): QueueModel {
  return {
    name: 'queue-position',
    join: (side, price, book) => (book === null ? null : displayedAhead(side, price, book)),
    onBook(side, price, ahead, book) {
      const shown = displayedAhead(side, price, book);
      if (shown === null) return ahead;
      return ahead === null ? shown : Decimal.min(ahead, shown);
    },
    atPrice(ahead, quantity) {
      if (ahead === null) return { reaches: ZERO, ahead: null };
      const reaches = quantity.minus(ahead);
      const left = ahead.minus(quantity);
      return { reaches: reaches.isNegative() ? ZERO : reaches, ahead: left.isNegative() ? ZERO : left };
    },
  };
}

/**
 * The quantity displayed at `price` on the side a resting order of `side` joins (bids for a buy):
 * the level's size; 0 when the price is better than the best level or inside the shown range
 * without a level (nothing there); null when it lies beyond the levels shown.
 */
export function displayedAhead(side: Side, price: Decimal, book: LiveBook): Decimal | null {
  const levels = side === 'buy' ? book.book.bids : book.book.asks;
  const bookSide = side === 'buy' ? 'bid' : 'ask';
  const worst = levels[levels.length - 1];
  if (worst === undefined) return null;
  for (const level of levels) if (level.price.eq(price)) return book.available(bookSide, level);
  const insideShown = side === 'buy' ? price.greaterThan(worst.price) : price.lessThan(worst.price);
  return insideShown ? ZERO : null;
}
