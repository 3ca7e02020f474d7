import { describe, expect, it } from 'vitest';
import { closestMatches, editDistance, rankBySimilarity } from './config-suggest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0], ['abc', '', 3], ['close', 'close', 0], ['clsoe', 'close', 1], ['kitten', 'sitting', 3], ['ab', 'ba', 1],
  ])('%s / %s → %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('rankBySimilarity / closestMatches', () => {
  const columns = ['open', 'high', 'low', 'close', 'volume', 'RSI_MAIN_RSI_14', 'RSI_MAIN_RSI_14_overbought', 'EMA_Fast_EMA_12'];

  it('names that extend what was written come before unrelated short names', () => {
    expect(rankBySimilarity('RSI_MAIN', columns).slice(0, 2)).toEqual(['RSI_MAIN_RSI_14', 'RSI_MAIN_RSI_14_overbought']);
    expect(closestMatches('EMA_Fast', columns)).toEqual(['EMA_Fast_EMA_12']);
  });

  it('typos and case', () => {
    expect(closestMatches('clsoe', columns)).toEqual(['close']);
    expect(closestMatches('Close', columns)).toEqual(['close']);
    expect(closestMatches('exit_longg', ['entry_long', 'exit_long', 'exit_short'])[0]).toBe('exit_long');
  });

  it('nothing plausible → nothing suggested, but everything is still ranked', () => {
    expect(closestMatches('zzzzzz', columns)).toEqual([]);
    expect(rankBySimilarity('zzzzzz', columns)).toHaveLength(columns.length);
  });
});
