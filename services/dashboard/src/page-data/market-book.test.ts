import { describe, expect, it } from 'vitest';
import { bookViewOf } from './market-book.js';

const depth = { time: 1_000, bids: [['100.00', '1'], ['99.50', '2']] as [string, string][], asks: [['100.50', '1'], ['101.00', '3']] as [string, string][] };
const trade = { tradeId: 't1', price: '100.25', quantity: '0.1', time: 1_010, side: 'buy' as const };

describe('the market page book view', () => {
  it('takes the bid and ask above the table from the book it shows, not from the separate best-bid/ask tick', () => {
    // 0.50 / mid 100.25 = 49.88 bps
    const v = bookViewOf({ lastPrice: '99', bid: '103.00', ask: '104.00', bookTime: 1_005 }, depth, [trade]);
    expect(v.ticker).toEqual({ price: '100.25', bid: '100.00', ask: '100.50', spread: '0.50', spreadBps: 49.88 });
    expect(v).toMatchObject({ bookTime: 1_000, bookSource: 'depth' });
  });

  it('falls back to the best-bid/ask tick without a book, and invents nothing without either', () => {
    expect(bookViewOf({ lastPrice: '99', bid: '103.00', ask: '104.00', bookTime: 1_005 }, null, [])).toMatchObject({ ticker: { price: '99', bid: '103.00', ask: '104.00' }, bookTime: 1_005, bookSource: 'ticker', depth: null });
    expect(bookViewOf(null, null, [])).toMatchObject({ ticker: { price: null, bid: null, ask: null, spread: null }, bookTime: null, bookSource: null });
  });
});
