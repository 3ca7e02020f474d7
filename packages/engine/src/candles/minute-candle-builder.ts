import type { Candle } from '../model/candle.js';

export interface TradeTick {
  price: number;
  quantity: number;
  time: number;
}

export interface BuiltCandle extends Candle {
  /** true for a minute without trades: flat at the previous close, volume 0 */
  readonly synthetic: boolean;
}

const MINUTE = 60_000;

/**
 * Builds closed 1m candles from trades in time order. A minute closes when a trade of a later minute
 * arrives or when `closeUpTo(now)` is called at or after its close time. Minutes without trades become
 * flat synthetic candles at the previous close, so consumers never see a gap.
 */
export class MinuteCandleBuilder {
  private current: { openTime: number; open: number; high: number; low: number; close: number; volume: number } | null = null;
  private lastClose: number | null = null;
  private nextOpenTime: number | null = null;

  addTrade(trade: TradeTick): BuiltCandle[] {
    const openTime = Math.floor(trade.time / MINUTE) * MINUTE;
    const out = this.closeUpTo(openTime);
    if (this.current !== null && openTime < this.current.openTime) return out; // late trade of a closed minute: dropped
    if (this.current === null) {
      this.current = { openTime, open: trade.price, high: trade.price, low: trade.price, close: trade.price, volume: trade.quantity };
    } else {
      const c = this.current;
      if (trade.price > c.high) c.high = trade.price;
      if (trade.price < c.low) c.low = trade.price;
      c.close = trade.price;
      c.volume += trade.quantity;
    }
    return out;
  }

  /** Closes every minute whose close time is ≤ `now`, filling trade-less minutes. */
  closeUpTo(now: number): BuiltCandle[] {
    const out: BuiltCandle[] = [];
    if (this.current !== null && this.current.openTime + MINUTE <= now) {
      const c = this.current;
      out.push({ openTime: c.openTime, closeTime: c.openTime + MINUTE, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume, synthetic: false });
      this.lastClose = c.close;
      this.nextOpenTime = c.openTime + MINUTE;
      this.current = null;
    }
    if (this.lastClose !== null && this.nextOpenTime !== null) {
      while (this.nextOpenTime + MINUTE <= now && (this.current === null || this.nextOpenTime < this.current.openTime)) {
        const p = this.lastClose;
        out.push({ openTime: this.nextOpenTime, closeTime: this.nextOpenTime + MINUTE, open: p, high: p, low: p, close: p, volume: 0, synthetic: true });
        this.nextOpenTime += MINUTE;
      }
    }
    return out;
  }
}
