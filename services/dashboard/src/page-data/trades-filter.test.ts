import { describe, expect, it } from 'vitest';
import { rangeOf, readTradesFilter, tradesPageQuery } from './trades-filter.js';

describe('trades filter', () => {
  it('reads the form, keeping the page size within 1..500', () => {
    expect(readTradesFilter({ strategy: 'demo-rsi', side: 'sell', limit: '25', cursor: 'abc' })).toEqual({ strategy: 'demo-rsi', side: 'sell', cursor: 'abc', from: undefined, to: undefined, limit: 25 });
    expect(readTradesFilter({ side: 'hold', limit: '9999' })).toMatchObject({ side: undefined, limit: 500 });
    expect(readTradesFilter({ limit: ['10', '20'] }).limit).toBe(50);
    expect(readTradesFilter({}).limit).toBe(50);
  });

  it('reads datetime-local times as UTC and leaves unreadable ones out', () => {
    expect(rangeOf({ from: '2026-01-05T12:05', to: '2026-01-05T12:10' })).toEqual({ from: Date.UTC(2026, 0, 5, 12, 5), to: Date.UTC(2026, 0, 5, 12, 10) });
    expect(rangeOf({ from: 'yesterday', to: undefined })).toEqual({ from: undefined, to: undefined });
  });

  it("asks the API for the contract's query (no side: the API has no side filter)", () => {
    expect(tradesPageQuery(readTradesFilter({ strategy: 'x', side: 'buy', limit: '10', from: '2026-01-05T12:05' }))).toEqual({ limit: 10, cursor: undefined, from: Date.UTC(2026, 0, 5, 12, 5), to: undefined });
  });
});
