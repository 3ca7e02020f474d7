import type { Candle } from '../model/candle.js';
import { bucketOpenTime, timeframeMs, type Timeframe } from './timeframe.js';

/**
 * What becomes of a bucket with missing minutes (a data gap, or the start of the data):
 * - `keep` (default): a candle of the minutes present — the original's resampling and Binance's
 *   own klines do the same;
 * - `skip`: no candle; only buckets with every minute become candles, so indicators never see a
 *   partial candle (what a reference built from complete candles, e.g. for TA-Lib, computes on).
 */
export type IncompleteCandles = 'keep' | 'skip';

/**
 * Builds candles of one timeframe from closed 1m candles. A higher-timeframe candle is emitted only
 * when it has closed: when the 1m candle ending at its close time arrives, or — if that minute is
 * missing — when the first 1m candle of a later bucket arrives (it is then emitted before that
 * candle is added). Buckets without any 1m candle produce nothing; buckets with some minutes missing
 * follow `incomplete`.
 */
export class CandleAggregator {
  private readonly durationMs: number;
  private readonly minutesPerBucket: number;
  private current: { openTime: number; open: number; high: number; low: number; close: number; volume: number; minutes: number } | null = null;

  constructor(
    readonly timeframe: Timeframe,
    readonly incomplete: IncompleteCandles = 'keep',
  ) {
    this.durationMs = timeframeMs(timeframe);
    this.minutesPerBucket = this.durationMs / 60_000;
  }

  /** Adds one closed 1m candle; returns the higher-timeframe candles that closed (0, 1 or 2). */
  add(minute: Candle): Candle[] {
    const out: Candle[] = [];
    const openTime = bucketOpenTime(minute.openTime, this.timeframe);
    const cur = this.current;
    if (cur !== null && cur.openTime !== openTime) {
      this.close(cur, out);
      this.current = null;
    }
    if (this.current === null) {
      this.current = { openTime, open: minute.open, high: minute.high, low: minute.low, close: minute.close, volume: minute.volume, minutes: 1 };
    } else {
      const c = this.current;
      if (minute.high > c.high) c.high = minute.high;
      if (minute.low < c.low) c.low = minute.low;
      c.close = minute.close;
      c.volume += minute.volume;
      c.minutes += 1;
    }
    if (minute.closeTime >= openTime + this.durationMs) {
      this.close(this.current, out);
      this.current = null;
    }
    return out;
  }

  /**
   * The bucket in progress as a candle (its close time is the bucket's end, not reached yet), or null;
   * with `skip` always null, since a bucket in progress lacks minutes. For the original's data feed,
   * which returned the last, partial bucket as a row (legacy look-ahead).
   */
  pending(): Candle | null {
    const out: Candle[] = [];
    if (this.current !== null) this.close(this.current, out);
    return out[0] ?? null;
  }

  private close(c: { openTime: number; open: number; high: number; low: number; close: number; volume: number; minutes: number }, out: Candle[]): void {
    if (this.incomplete === 'skip' && c.minutes < this.minutesPerBucket) return;
    out.push({ openTime: c.openTime, closeTime: c.openTime + this.durationMs, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume });
  }
}
