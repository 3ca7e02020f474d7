import type { Candle } from '../model/candle.js';

/**
 * The newest `capacity` candles of one timeframe in seven Float64Array columns (openTime, closeTime,
 * O, H, L, C, V): 56 bytes per candle and no object per candle, so 1,000 candles × 7 timeframes
 * take about 0.4 MB however long the process runs (the plan's "last 1,000 candles per timeframe").
 * Times are epoch ms, exact in a float64 up to 2^53.
 */
export class CandleRingBuffer {
  static readonly BYTES_PER_CANDLE = 7 * Float64Array.BYTES_PER_ELEMENT;
  private readonly data: Float64Array;
  private head = 0; // index of the oldest candle
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.data = new Float64Array(capacity * 7);
  }

  get length(): number {
    return this.count;
  }

  /** bytes held by the columns (the whole capacity, allocated up front) */
  get byteLength(): number {
    return this.data.byteLength;
  }

  /** Appends a candle; when full, the oldest one is dropped. */
  push(c: Candle): void {
    let slot: number;
    if (this.count < this.capacity) {
      slot = (this.head + this.count) % this.capacity;
      this.count += 1;
    } else {
      slot = this.head;
      this.head = (this.head + 1) % this.capacity;
    }
    const d = this.data;
    const o = slot * 7;
    d[o] = c.openTime;
    d[o + 1] = c.closeTime;
    d[o + 2] = c.open;
    d[o + 3] = c.high;
    d[o + 4] = c.low;
    d[o + 5] = c.close;
    d[o + 6] = c.volume;
  }

  /** Candle i, 0 = oldest kept, length − 1 = newest (a new object; undefined out of range). */
  get(i: number): Candle | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) return undefined;
    const o = ((this.head + i) % this.capacity) * 7;
    const d = this.data;
    return { openTime: d[o]!, closeTime: d[o + 1]!, open: d[o + 2]!, high: d[o + 3]!, low: d[o + 4]!, close: d[o + 5]!, volume: d[o + 6]! };
  }

  last(): Candle | undefined {
    return this.get(this.count - 1);
  }

  /** Oldest first. */
  toArray(): Candle[] {
    const out: Candle[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.get(i)!;
    return out;
  }

  /** One field of every candle kept, oldest first (e.g. closes for a batch indicator). */
  column(field: 'openTime' | 'closeTime' | 'open' | 'high' | 'low' | 'close' | 'volume'): Float64Array {
    const k = FIELDS.indexOf(field);
    const out = new Float64Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.data[((this.head + i) % this.capacity) * 7 + k]!;
    return out;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }
}

const FIELDS = ['openTime', 'closeTime', 'open', 'high', 'low', 'close', 'volume'] as const;
