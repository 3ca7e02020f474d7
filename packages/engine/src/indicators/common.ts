/**
 * Small O(1), allocation-free building blocks shared by several indicators. State lives in scalars and
 * preallocated Float64Array ring buffers.
 */

/** True range with the previous close; the first bar (no previous close) is H − L. */
export function trueRange(high: number, low: number, prevClose: number, first: boolean): number {
  const hl = high - low;
  if (first) return hl;
  const hc = Math.abs(high - prevClose);
  const lc = Math.abs(low - prevClose);
  return hl >= hc ? (hl >= lc ? hl : lc) : hc >= lc ? hc : lc;
}

/**
 * Simple moving average exactly as TA-Lib's TA_INT_SMA computes it: a running total of the last
 * period−1 inputs to which the new input is added, the average taken, then the oldest input subtracted.
 * Same operations in the same order, so results equal TA-Lib's bit for bit when started on the same bar.
 */
export class RollingSma {
  private readonly ring: Float64Array;
  private pos = 0;
  private count = 0;
  private total = 0;

  constructor(readonly period: number) {
    this.ring = new Float64Array(period);
  }

  /** Adds one input; returns the mean of the last `period` inputs, NaN until `period` inputs were seen. */
  push(x: number): number {
    const p = this.period;
    this.total += x;
    this.ring[this.pos] = x;
    this.pos = this.pos + 1 === p ? 0 : this.pos + 1;
    if (this.count < p) this.count++;
    if (this.count < p) return Number.NaN;
    const out = this.total / p;
    this.total -= this.ring[this.pos] as number; // the oldest input of the current window
    return out;
  }
}

/**
 * Wilder ATR as TA-Lib computes it and as the original's "ATR-A" helper defines it (compat §2.0):
 * NaN for bars 0…p−1, A_p = mean(TR_1…TR_p) (TR_0 excluded), then A_i = (A_{i−1}·(p−1) + TR_i)/p.
 */
export class WilderAtr {
  private count = 0;
  private prevClose = Number.NaN;
  private seedSum = 0;
  private atr = Number.NaN;

  constructor(readonly period: number) {}

  /** Feeds one bar and returns the ATR at this bar (NaN during warm-up). */
  push(high: number, low: number, close: number): number {
    const p = this.period;
    const i = this.count++;
    if (i > 0) {
      const tr = trueRange(high, low, this.prevClose, false);
      if (i < p) {
        this.seedSum += tr;
      } else if (i === p) {
        this.seedSum += tr;
        this.atr = this.seedSum / p;
      } else {
        this.atr = (this.atr * (p - 1) + tr) / p;
      }
    }
    this.prevClose = close;
    return this.atr;
  }

  get value(): number {
    return this.atr;
  }
}

/** Fixed-size window over the last `size` values (Float64Array ring), with O(size) max/min scans. */
export class Window {
  readonly ring: Float64Array;
  private pos = 0;
  count = 0;

  constructor(readonly size: number) {
    this.ring = new Float64Array(size);
  }

  push(x: number): void {
    this.ring[this.pos] = x;
    this.pos = this.pos + 1 === this.size ? 0 : this.pos + 1;
    if (this.count < this.size) this.count++;
  }

  get full(): boolean {
    return this.count === this.size;
  }

  /** The plain mean of the values held, summed in ring order (callers rely on the exact digits). */
  mean(): number {
    const r = this.ring;
    const n = this.count;
    let sum = 0;
    for (let k = 0; k < n; k++) sum += r[k] as number;
    return sum / n;
  }

  max(): number {
    const r = this.ring;
    const n = this.count;
    let m = r[0] as number;
    for (let k = 1; k < n; k++) if ((r[k] as number) > m) m = r[k] as number;
    return m;
  }

  min(): number {
    const r = this.ring;
    const n = this.count;
    let m = r[0] as number;
    for (let k = 1; k < n; k++) if ((r[k] as number) < m) m = r[k] as number;
    return m;
  }
}
