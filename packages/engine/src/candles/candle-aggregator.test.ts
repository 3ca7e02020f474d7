import { describe, expect, it } from 'vitest';
import type { Candle } from '../model/candle.js';
import { CandleAggregator } from './candle-aggregator.js';
import { bucketOpenTime, timeframeMs } from './timeframe.js';

const MIN = 60_000;
function minutes(start: number, n: number, skip: Set<number> = new Set()): Candle[] {
  const out: Candle[] = [];
  for (let i = 0; i < n; i++) {
    if (skip.has(i)) continue;
    const o = 100 + Math.sin(i / 7) * 5;
    const c = 100 + Math.sin((i + 1) / 7) * 5;
    out.push({ openTime: start + i * MIN, closeTime: start + (i + 1) * MIN, open: o, high: Math.max(o, c) + 1, low: Math.min(o, c) - 1, close: c, volume: 1 + (i % 3) });
  }
  return out;
}

describe('timeframes', () => {
  it('aligns to the UTC epoch and weeks to Monday', () => {
    const t = Date.UTC(2024, 0, 10, 13, 37, 12); // a Wednesday
    expect(bucketOpenTime(t, '1h')).toBe(Date.UTC(2024, 0, 10, 13));
    expect(bucketOpenTime(t, '4h')).toBe(Date.UTC(2024, 0, 10, 12));
    expect(bucketOpenTime(t, '1d')).toBe(Date.UTC(2024, 0, 10));
    expect(bucketOpenTime(t, '1w')).toBe(Date.UTC(2024, 0, 8)); // Monday
    expect(new Date(bucketOpenTime(t, '1w')).getUTCDay()).toBe(1);
  });
});

describe('CandleAggregator', () => {
  it('builds 1h candles equal to aggregating the minutes directly, emitted only at close', () => {
    const start = Date.UTC(2024, 0, 1);
    const ms = minutes(start, 180);
    const agg = new CandleAggregator('1h');
    const emitted: Array<{ at: number; candle: Candle }> = [];
    for (const m of ms) for (const c of agg.add(m)) emitted.push({ at: m.closeTime, candle: c });
    expect(emitted).toHaveLength(3);
    emitted.forEach(({ at, candle }, h) => {
      const group = ms.slice(h * 60, h * 60 + 60);
      expect(at).toBe(candle.closeTime); // visible exactly when it closes, never earlier
      expect(candle).toEqual({
        openTime: start + h * 3_600_000,
        closeTime: start + (h + 1) * 3_600_000,
        open: group[0]!.open,
        high: Math.max(...group.map((g) => g.high)),
        low: Math.min(...group.map((g) => g.low)),
        close: group[59]!.close,
        volume: group.reduce((a, g) => a + g.volume, 0),
      });
    });
  });

  it('closes a bucket whose last minute is missing when the next bucket starts', () => {
    const start = Date.UTC(2024, 0, 1);
    const ms = minutes(start, 20, new Set([14])); // 15m bucket lacks its last minute
    const agg = new CandleAggregator('15m');
    const out = ms.flatMap((m) => agg.add(m).map((c) => ({ c, at: m.openTime })));
    expect(out).toHaveLength(1);
    expect(out[0]!.c.closeTime).toBe(start + timeframeMs('15m'));
    expect(out[0]!.at).toBe(start + 15 * MIN);
    expect(out[0]!.c.close).toBe(ms[13]!.close);
  });
});
