import type { Candle } from '../model/candle.js';
import { bucketOpenTime, timeframeMs, type Timeframe } from './timeframe.js';

/**
 * Builds candles of one timeframe from closed 1m candles. A higher-timeframe candle is emitted only
 * when it has closed: when the 1m candle ending at its close time arrives, or — if that minute is
 * missing — when the first 1m candle of a later bucket arrives (it is then emitted before that
 * candle is added). Buckets without any 1m candle produce nothing.
 */
export class CandleAggregator {
  private readonly durationMs: number;
  private current: { openTime: number; open: number; high: number; low: number; close: number; volume: number } | null = null;

  constructor(readonly timeframe: Timeframe) {
    this.durationMs = timeframeMs(timeframe);
  }

  /** Adds one closed 1m candle; returns the higher-timeframe candles that closed (0, 1 or 2). */
  add(minute: Candle): Candle[] {
    const out: Candle[] = [];
    const openTime = bucketOpenTime(minute.openTime, this.timeframe);
    const cur = this.current;
    if (cur !== null && cur.openTime !== openTime) {
      out.push(this.close(cur));
      this.current = null;
    }
    if (this.current === null) {
      this.current = { openTime, open: minute.open, high: minute.high, low: minute.low, close: minute.close, volume: minute.volume };
    } else {
      const c = this.current;
      if (minute.high > c.high) c.high = minute.high;
      if (minute.low < c.low) c.low = minute.low;
      c.close = minute.close;
      c.volume += minute.volume;
    }
    if (minute.closeTime >= openTime + this.durationMs) {
      out.push(this.close(this.current));
      this.current = null;
    }
    return out;
  }

  private close(c: { openTime: number; open: number; high: number; low: number; close: number; volume: number }): Candle {
    return { openTime: c.openTime, closeTime: c.openTime + this.durationMs, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume };
  }
}
