import { describe, expect, it } from 'vitest';
import type { Candle } from '../model/candle.js';
import { CandleRingBuffer } from './candle-ring-buffer.js';

const c = (i: number): Candle => ({ openTime: 1_700_000_000_000 + i * 60_000, closeTime: 1_700_000_000_000 + (i + 1) * 60_000, open: 100.1 + i, high: 101.25 + i, low: 99.5 + i, close: 100.75 + i, volume: 0.1 * i });

describe('CandleRingBuffer', () => {
  it('keeps the newest `capacity` candles, oldest first, values exact', () => {
    const r = new CandleRingBuffer(3);
    expect(r.length).toBe(0);
    expect(r.last()).toBeUndefined();
    r.push(c(0));
    r.push(c(1));
    expect(r.toArray()).toEqual([c(0), c(1)]);
    r.push(c(2));
    r.push(c(3));
    r.push(c(4));
    expect(r.length).toBe(3);
    expect(r.toArray()).toEqual([c(2), c(3), c(4)]);
    expect(r.get(0)).toEqual(c(2));
    expect(r.last()).toEqual(c(4));
    expect(r.get(3)).toBeUndefined();
    expect(r.get(-1)).toBeUndefined();
    expect([...r.column('close')]).toEqual([102.75, 103.75, 104.75]);
    expect([...r.column('openTime')]).toEqual([c(2).openTime, c(3).openTime, c(4).openTime]);
  });

  it('1,000 candles take 56,000 bytes of columns', () => {
    const r = new CandleRingBuffer(1000);
    for (let i = 0; i < 2500; i++) r.push(c(i));
    expect(r.byteLength).toBe(56_000);
    expect(r.get(0)).toEqual(c(1500));
    expect(r.last()).toEqual(c(2499));
  });

  it('clear empties it; a bad capacity is refused', () => {
    const r = new CandleRingBuffer(2);
    r.push(c(0));
    r.clear();
    expect(r.length).toBe(0);
    r.push(c(7));
    expect(r.toArray()).toEqual([c(7)]);
    expect(() => new CandleRingBuffer(0)).toThrow(RangeError);
    expect(() => new CandleRingBuffer(1.5)).toThrow(RangeError);
  });
});
