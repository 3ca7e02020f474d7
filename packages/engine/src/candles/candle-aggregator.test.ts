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

  it('incomplete buckets: `keep` (default) builds them from the minutes present, `skip` drops them', () => {
    const start = Date.UTC(2024, 0, 1, 0, 10); // the data starts 10 minutes into the first 15m bucket
    // minutes 0..49 from 00:10, with 20 and 21 (00:30, 00:31) missing and 45..49 (00:55..00:59) the last
    const ms = minutes(start, 50, new Set([20, 21]));
    const opens = (incomplete?: 'keep' | 'skip') => {
      const agg = incomplete ? new CandleAggregator('15m', incomplete) : new CandleAggregator('15m');
      return { closed: ms.flatMap((m) => agg.add(m)), pending: agg.pending() };
    };
    const keep = opens();
    // 00:00 (5 minutes), 00:15 (full), 00:30 (13 minutes), 00:45 (full); nothing pending
    expect(keep.closed.map((c) => (c.openTime - Date.UTC(2024, 0, 1)) / MIN)).toEqual([0, 15, 30, 45]);
    expect(keep.closed[2]!.open).toBe(ms[20]!.open); // minute index 22 is 00:32: ms has 20 and 21 removed
    expect(keep.closed[2]!.volume).toBe(ms.slice(20, 33).reduce((a, m) => a + m.volume, 0));
    expect(keep.pending).toBeNull();
    const skip = opens('skip');
    expect(skip.closed.map((c) => (c.openTime - Date.UTC(2024, 0, 1)) / MIN)).toEqual([15, 45]);
    expect(skip.closed).toEqual([keep.closed[1], keep.closed[3]]);
  });

  it('pending(): the bucket in progress with `keep`, never with `skip`', () => {
    const start = Date.UTC(2024, 0, 1);
    const ms = minutes(start, 20);
    const keep = new CandleAggregator('15m');
    const skip = new CandleAggregator('15m', 'skip');
    for (const m of ms) {
      keep.add(m);
      skip.add(m);
    }
    expect(keep.pending()).toMatchObject({ openTime: start + 15 * MIN, closeTime: start + 30 * MIN, open: ms[15]!.open, close: ms[19]!.close });
    expect(skip.pending()).toBeNull();
  });
});
