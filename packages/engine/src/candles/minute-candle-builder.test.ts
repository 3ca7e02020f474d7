import { describe, expect, it } from 'vitest';
import { MinuteCandleBuilder } from './minute-candle-builder.js';

describe('MinuteCandleBuilder', () => {
  it('builds OHLCV from trades and fills trade-less minutes with flat synthetic candles', () => {
    const b = new MinuteCandleBuilder();
    const t0 = 1_700_000_040_000; // minute aligned
    expect(b.addTrade({ price: 10, quantity: 1, time: t0 + 1 })).toEqual([]);
    b.addTrade({ price: 12, quantity: 2, time: t0 + 20_000 });
    b.addTrade({ price: 9, quantity: 1, time: t0 + 59_999 });
    const out = b.addTrade({ price: 11, quantity: 1, time: t0 + 3 * 60_000 + 5 });
    expect(out).toEqual([
      { openTime: t0, closeTime: t0 + 60_000, open: 10, high: 12, low: 9, close: 9, volume: 4, synthetic: false },
      { openTime: t0 + 60_000, closeTime: t0 + 120_000, open: 9, high: 9, low: 9, close: 9, volume: 0, synthetic: true },
      { openTime: t0 + 120_000, closeTime: t0 + 180_000, open: 9, high: 9, low: 9, close: 9, volume: 0, synthetic: true },
    ]);
    expect(b.closeUpTo(t0 + 4 * 60_000)).toEqual([{ openTime: t0 + 180_000, closeTime: t0 + 240_000, open: 11, high: 11, low: 11, close: 11, volume: 1, synthetic: false }]);
  });
});
