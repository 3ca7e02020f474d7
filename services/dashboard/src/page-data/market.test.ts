import { describe, expect, it } from 'vitest';
import { marketDataFixture } from '../test-support/fixtures.js';
import { tickerOf } from './market.js';

describe('top of book', () => {
  it('shows the spread and its basis points from the best bid and ask', () => {
    expect(tickerOf(marketDataFixture())).toEqual({ price: '95010.00', bid: '95009.50', ask: '95010.50', spread: '1.00', spreadBps: 0.11 });
  });

  it('has no spread without both sides of the book, and no invented last price', () => {
    expect(tickerOf(marketDataFixture({ bid: null, lastPrice: null }))).toEqual({ price: null, bid: null, ask: '95010.50', spread: null, spreadBps: null });
  });
});
