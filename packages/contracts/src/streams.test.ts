import { describe, expect, it } from 'vitest';
import { isCandleStream, Streams } from './streams.js';

describe('isCandleStream', () => {
  it('knows a candle stream key from the others', () => {
    expect(isCandleStream(Streams.candles('BTCUSDT'))).toBe(true);
    expect([Streams.trades('BTCUSDT'), Streams.bookTicker('BTCUSDT'), Streams.bookDepth('BTCUSDT'), Streams.feedStatus(), Streams.candles('')].map(isCandleStream)).toEqual([false, false, false, false, false]);
  });
});
