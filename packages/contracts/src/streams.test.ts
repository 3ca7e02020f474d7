import { describe, expect, it } from 'vitest';
import { isCandleStream, LiveReplayMax, readBackOf, StreamReadBack, Streams } from './streams.js';

describe('isCandleStream', () => {
  it('knows a candle stream key from the others', () => {
    expect(isCandleStream(Streams.candles('BTCUSDT'))).toBe(true);
    expect([Streams.trades('BTCUSDT'), Streams.bookTicker('BTCUSDT'), Streams.bookDepth('BTCUSDT'), Streams.feedStatus(), Streams.candles('')].map(isCandleStream)).toEqual([false, false, false, false, false]);
  });
});

describe('readBackOf', () => {
  it('gives the read-back window of the families read back near their end, none for the families read back from the start', () => {
    expect(readBackOf(Streams.trades('BTCUSDT'))).toBe(StreamReadBack.trades);
    expect(readBackOf(Streams.candles('BTCUSDT'))).toBe(StreamReadBack.candles);
    expect(readBackOf(Streams.strategyEvents())).toBe(StreamReadBack.strategyEvents);
    expect(readBackOf(Streams.bookTicker('ETHUSDT'))).toBe(StreamReadBack.bookTicker);
    expect(readBackOf(Streams.bookDepth('ETHUSDT'))).toBe(StreamReadBack.bookDepth);
    expect(readBackOf(Streams.feedStatus())).toBe(StreamReadBack.feedStatus);
    expect([Streams.commands(), Streams.deadLetter(Streams.trades('BTCUSDT')), Streams.deadLetter(Streams.candles('BTCUSDT'))].map(readBackOf)).toEqual([undefined, undefined, undefined]);
  });
});

describe('StreamReadBack.strategyEvents', () => {
  it('holds every replay GET /events can give in full (LiveReplayMax after a client\'s last id), twice over, and no more than a few thousand', () => {
    expect(StreamReadBack.strategyEvents).toBeGreaterThanOrEqual(2 * LiveReplayMax);
    expect(StreamReadBack.strategyEvents).toBeLessThanOrEqual(5 * LiveReplayMax);
  });
});
