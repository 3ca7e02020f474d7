import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { computeBatch } from './batch.js';
import { emaDefinition } from './ema.js';
import { rsiDefinition } from './rsi.js';
import { compareSeries, expectBatchEqualsIncremental } from './testing/assertions.js';
import { goldenSeries } from './testing/golden-series.js';
import { seededCandles } from './testing/seeded-candles.js';
import { talibSeries, type Talib } from './testing/talib-reference.js';

const talib = createRequire(import.meta.url)('talib') as Talib;

// compat §2.8: outputs of the original Python code on the golden series (8 decimals).
const GOLDEN: ReadonlyArray<[t: number, close: number, ema5: number, rsi5: number]> = [
  [3, 109.91470985, NaN, NaN],
  [4, 111.71937901, 107.54651806, 100.0],
  [5, 112.45407958, 109.18237190, 100.0],
  [6, 112.09297427, 110.15257269, 94.11456632],
  [7, 110.73085882, 110.34533473, 73.6706892],
  [8, 108.57272627, 109.75446524, 51.51039558],
  [9, 105.91120008, 108.47337686, 35.19174557],
  [10, 103.09432037, 106.68035803, 24.79831218],
  [11, 100.48722951, 104.61598186, 18.48306779],
  [12, 98.43197505, 102.55464625, 14.7752231],
  [20, 113.74151231, 107.84811287, 86.95244957],
  [29, 112.10463227, 115.72483961, 30.23945975],
];

/** The table is rounded to 8 decimals. */
function expectGolden(actual: unknown, expected: number): void {
  if (Number.isNaN(expected)) {
    expect(actual).toBeNaN();
  } else {
    expect(typeof actual).toBe('number');
    expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(5.1e-9);
  }
}

describe('EMA (original semantics, compat §2.1)', () => {
  const params = { length: 5 };

  it('reproduces the golden EMA_5 values of the original', () => {
    const candles = goldenSeries();
    const cols = computeBatch(emaDefinition, params, candles);
    for (const [t, close, ema] of GOLDEN) {
      expect(Math.abs((candles[t]?.close as number) - close)).toBeLessThan(5.1e-9);
      expectGolden(cols['EMA_5']?.[t], ema);
    }
  });

  it('is NaN/null before index length-1 and seeded with the first close (not an SMA)', () => {
    const candles = goldenSeries();
    const cols = computeBatch(emaDefinition, params, candles);
    for (let t = 0; t < 4; t++) {
      expect(cols['EMA_5']?.[t]).toBeNaN();
      expect(cols['EMA_5_trend']?.[t]).toBeNull();
    }
    // Independent recomputation of the recurrence E0 = C0, Ei = a*Ci + (1-a)*Ei-1 at index 4.
    const a = 2 / 6;
    let e = candles[0]!.close;
    for (let t = 1; t <= 4; t++) e = a * candles[t]!.close + (1 - a) * e;
    const sma = candles.slice(0, 5).reduce((s, c) => s + c.close, 0) / 5;
    expect(cols['EMA_5']?.[4]).toBeCloseTo(e, 10);
    expect(Math.abs((cols['EMA_5']?.[4] as number) - sma)).toBeGreaterThan(1e-3);
  });

  it('reports trend bull/bear/neutral from close vs EMA', () => {
    const candles = goldenSeries();
    const cols = computeBatch(emaDefinition, params, candles);
    for (let t = 4; t < candles.length; t++) {
      const c = candles[t]!.close;
      const e = cols['EMA_5']?.[t] as number;
      expect(cols['EMA_5_trend']?.[t]).toBe(c > e ? 'bull' : c < e ? 'bear' : 'neutral');
    }
    const flat = seededCandles({ count: 20, seed: 1, flatProbability: 1 }).map((c) => ({ ...c, close: 50, open: 50 }));
    const flatCols = computeBatch(emaDefinition, { length: 3 }, flat);
    expect(flatCols['EMA_3_trend']?.[19]).toBe('neutral');
    expect(flatCols['EMA_3']?.[19]).toBe(50);
  });

  it('batch equals incremental bit for bit', () => {
    for (const length of [1, 2, 5, 200]) {
      for (const seed of ['first', 'sma'] as const) expectBatchEqualsIncremental(emaDefinition, { length, seed }, seededCandles({ count: 3000, seed: 11 + length }));
    }
  });

  it('seed: sma equals TA-Lib EMA from its first value (the SMA of the first `length` closes), to 1e-9 relative', () => {
    for (const [seed, volatility] of [[7, 0.002], [8, 0.05]] as const) {
      const candles = seededCandles({ count: 3000, seed, volatility });
      for (const length of [2, 5, 26, 200]) { // TA-Lib's EMA starts at 2
        const ours = computeBatch(emaDefinition, { length, seed: 'sma' }, candles);
        const ref = talibSeries(talib, 'EMA', candles, { optInTimePeriod: length })['outReal']!;
        // NaN exactly where TA-Lib has none yet: the first value is at index length − 1
        const { failures, compared } = compareSeries(`EMA_${length}`, ours[`EMA_${length}`]!, ref, 0, 1e-9);
        expect(failures).toEqual([]);
        expect(compared).toBe(candles.length - length + 1);
        const first = candles.slice(0, length).reduce((s, c) => s + c.close, 0) / length;
        expect(ours[`EMA_${length}`]![length - 1]).toBeCloseTo(first, 9);
        const t = length + 3;
        const e = ours[`EMA_${length}`]![t] as number;
        const c = candles[t]!.close;
        expect(ours[`EMA_${length}_trend`]![t]).toBe(c > e ? 'bull' : c < e ? 'bear' : 'neutral');
      }
    }
  });

  it('seed: first (the default, the original) and seed: sma differ while the seed has not decayed', () => {
    const candles = seededCandles({ count: 400, seed: 9, volatility: 0.01 });
    const first = computeBatch(emaDefinition, { length: 200 }, candles)['EMA_200']!;
    const sma = computeBatch(emaDefinition, { length: 200, seed: 'sma' }, candles)['EMA_200']!;
    expect(Math.abs((first[199] as number) - (sma[199] as number)) / (sma[199] as number)).toBeGreaterThan(1e-4);
  });

  it('converges to TA-Lib EMA (SMA-seeded) to 1e-9 relative after warm-up', () => {
    const candles = seededCandles({ count: 4000, seed: 7 });
    for (const length of [5, 12, 26, 50]) {
      const ours = computeBatch(emaDefinition, { length }, candles)[`EMA_${length}`]!;
      const ref = talibSeries(talib, 'EMA', candles, { optInTimePeriod: length })['outReal']!;
      const { failures, compared } = compareSeries(`EMA_${length}`, ours, ref, 20 * (length + 1), 1e-9);
      expect(failures).toEqual([]);
      expect(compared).toBeGreaterThan(2500);
    }
  });

  it('validates parameters', () => {
    expect(emaDefinition.parseParams({})).toEqual({ ok: true, params: { length: 200, seed: 'first' } });
    expect(emaDefinition.parseParams({ length: 21 })).toEqual({ ok: true, params: { length: 21, seed: 'first' } });
    expect(emaDefinition.parseParams({ length: 21, seed: 'sma' })).toEqual({ ok: true, params: { length: 21, seed: 'sma' } });
    const badSeed = emaDefinition.parseParams({ seed: 'SMA' });
    expect(badSeed.ok ? '' : badSeed.errors.join()).toContain('EMA.seed must be one of "first", "sma", got "SMA"');
    const bad = emaDefinition.parseParams({ period: 20, window: 3 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors.join('\n')).toContain('"period"');
      expect(bad.errors.join('\n')).toContain('"window"');
      expect(bad.errors.join('\n')).toContain('allowed: length, seed');
    }
    for (const length of [0, -3, 2.5, '14', null, true]) {
      const r = emaDefinition.parseParams({ length });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors[0]).toMatch(/^EMA\.length must be an integer/);
    }
  });
});

describe('RSI (ta variant, compat §2.2)', () => {
  const params = { length: 5 };

  it('reproduces the golden RSI_5 values of the original', () => {
    const cols = computeBatch(rsiDefinition, params, goldenSeries());
    for (const [t, , , rsi] of GOLDEN) expectGolden(cols['RSI_5']?.[t], rsi);
  });

  it('has overbought/oversold flags at the fixed 70/30 thresholds, false while NaN', () => {
    const cols = computeBatch(rsiDefinition, params, goldenSeries());
    const rsi = cols['RSI_5']!;
    for (let t = 0; t < rsi.length; t++) {
      const v = rsi[t] as number;
      expect(cols['RSI_5_overbought']?.[t]).toBe(!Number.isNaN(v) && v > 70);
      expect(cols['RSI_5_oversold']?.[t]).toBe(!Number.isNaN(v) && v < 30);
    }
    expect(cols['RSI_5_overbought']?.[6]).toBe(true); // 94.11
    expect(cols['RSI_5_oversold']?.[12]).toBe(true); // 14.78
    expect(cols['RSI_5_overbought']?.[0]).toBe(false);
  });

  it('is 100 when the average loss is zero, even with zero average gain', () => {
    const flat = seededCandles({ count: 10, seed: 3 }).map((c) => ({ ...c, open: 10, high: 11, low: 9, close: 10 }));
    const cols = computeBatch(rsiDefinition, { length: 3 }, flat);
    expect(cols['RSI_3']?.[1]).toBeNaN();
    expect(cols['RSI_3']?.[2]).toBe(100);
    expect(cols['RSI_3']?.[9]).toBe(100);
  });

  it('batch equals incremental bit for bit', () => {
    for (const length of [1, 2, 14, 100]) {
      expectBatchEqualsIncremental(rsiDefinition, { length }, seededCandles({ count: 3000, seed: 21 + length }));
    }
  });

  it('converges to TA-Lib RSI (SMA-seeded Wilder) to 1e-9 relative after warm-up', () => {
    const candles = seededCandles({ count: 4000, seed: 8 });
    for (const length of [5, 14, 30]) {
      const ours = computeBatch(rsiDefinition, { length }, candles)[`RSI_${length}`]!;
      const ref = talibSeries(talib, 'RSI', candles, { optInTimePeriod: length })['outReal']!;
      const { failures, compared } = compareSeries(`RSI_${length}`, ours, ref, 40 * length, 1e-9);
      expect(failures).toEqual([]);
      expect(compared).toBeGreaterThan(2000);
    }
  });

  it('validates parameters', () => {
    expect(rsiDefinition.parseParams({})).toEqual({ ok: true, params: { length: 14 } });
    const bad = rsiDefinition.parseParams({ overbought: 80 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors).toEqual(['RSI: unknown parameter "overbought"; allowed: length']);
  });
});
