import { Decimal } from '../core/decimal.js';
import type { CoreInput } from '../kernel/trading-core.js';

/** Depth given to every level of a variant book: more than any paper order could take. */
const UNLIMITED = new Decimal('1000000000');
/** Half the width of a zero-spread book (a book may not be locked or crossed). */
const HAIR = new Decimal('0.00000001');

/**
 * Counterfactual versions of a recorded market, each removing one realism of the real one. They
 * change the inputs only; the core, config and seed stay those of the paper trader.
 */
export const marketVariants = {
  /** the top of every book only, with unlimited depth: no walking levels, no partial fills */
  unlimitedTopOfBook(inputs: readonly CoreInput[]): CoreInput[] {
    return inputs.map((x) => {
      if (x.kind !== 'book') return x;
      const bid = x.book.bids[0];
      const ask = x.book.asks[0];
      return { kind: 'book', book: { time: x.book.time, bids: bid ? [{ price: bid.price, quantity: UNLIMITED }] : [], asks: ask ? [{ price: ask.price, quantity: UNLIMITED }] : [] } };
    });
  },
  /** every book collapsed to its mid with unlimited depth: no spread either */
  unlimitedMidBook(inputs: readonly CoreInput[]): CoreInput[] {
    return inputs.map((x) => {
      if (x.kind !== 'book') return x;
      const bid = x.book.bids[0];
      const ask = x.book.asks[0];
      if (!bid || !ask) return { kind: 'book', book: { time: x.book.time, bids: [], asks: [] } };
      const mid = bid.price.plus(ask.price).div(2);
      return { kind: 'book', book: { time: x.book.time, bids: [{ price: mid.minus(HAIR), quantity: UNLIMITED }], asks: [{ price: mid.plus(HAIR), quantity: UNLIMITED }] } };
    });
  },
  /** the closed 1m candles alone: what a user downloads to backtest */
  candlesOnly(inputs: readonly CoreInput[]): CoreInput[] {
    return inputs.filter((x) => x.kind === 'candle');
  },
};
