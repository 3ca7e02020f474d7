import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { adxDefinition, type AdxParams } from './adx.js';
import { computeBatch } from './batch.js';
import { compareSeries, expectBatchEqualsIncremental } from './testing/assertions.js';
import { goldenSeries } from './testing/golden-series.js';
import { seededCandles } from './testing/seeded-candles.js';
import { talibSeries, type Talib } from './testing/talib-reference.js';

const talib = createRequire(import.meta.url)('talib') as Talib;

// compat §2.8: ADX period 5, wilder, outputs of the original code (8 decimals).
const GOLDEN: ReadonlyArray<[t: number, adx: number, plus: number, minus: number]> = [
  [3, NaN, NaN, NaN],
  [4, NaN, NaN, NaN],
  [5, NaN, 45.88623363, 0.0],
  [6, NaN, 42.67329566, 0.0],
  [7, NaN, 38.5923264, 0.0],
  [8, NaN, 30.35228572, 9.40574838],
  [9, 77.20713695, 23.23149227, 11.61122308],
  [10, 63.99078476, 18.29817305, 22.87932447],
  [11, 56.46455147, 14.37713514, 24.66974325],
  [12, 54.83895366, 10.64741639, 30.57096507],
  [20, 46.47499086, 35.12243777, 9.10028653],
  [29, 50.22970068, 17.75190655, 18.44472649],
];

const P5: AdxParams = { period: 5, trend_threshold: 25, range_threshold: 20, smoothing_method: 'wilder' };

function expectGolden(actual: unknown, expected: number): void {
  if (Number.isNaN(expected)) {
    expect(actual).toBeNaN();
  } else {
    expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(5.1e-9);
  }
}

describe('ADX (original custom implementation, compat §2.3)', () => {
  it('reproduces the golden ADX_value / DI_plus / DI_minus of the original', () => {
    const cols = computeBatch(adxDefinition, P5, goldenSeries());
    for (const [t, adx, plus, minus] of GOLDEN) {
      expectGolden(cols['ADX_value']?.[t], adx);
      expectGolden(cols['DI_plus']?.[t], plus);
      expectGolden(cols['DI_minus']?.[t], minus);
    }
    // First defined indices: DI at n, ADX at 2n−1 (shifted one bar).
    expect(cols['DI_plus']?.[4]).toBeNaN();
    expect(cols['ADX_value']?.[8]).toBeNaN();
  });

  it('derives trend/range/strength/DI flags from the shifted values', () => {
    const candles = seededCandles({ count: 500, seed: 5 });
    const cols = computeBatch(adxDefinition, { ...P5, period: 14 }, candles);
    const strengths = new Set<unknown>();
    for (let t = 0; t < candles.length; t++) {
      const a = cols['ADX_value']?.[t] as number;
      const p = cols['DI_plus']?.[t] as number;
      const m = cols['DI_minus']?.[t] as number;
      expect(cols['ADX_trend']?.[t]).toBe(a > 25);
      expect(cols['ADX_range']?.[t]).toBe(a < 20);
      const s = Number.isNaN(a) ? 'unknown' : a < 20 ? 'weak' : a < 25 ? 'moderate' : a < 40 ? 'strong' : 'very_strong';
      expect(cols['ADX_strength']?.[t]).toBe(s);
      strengths.add(s);
      expect(cols['DI_bullish']?.[t]).toBe(p > m);
      expect(cols['DI_bearish']?.[t]).toBe(m > p);
    }
    expect(strengths.has('unknown')).toBe(true);
    expect(strengths.size).toBeGreaterThan(2);
  });

  it('batch equals incremental bit for bit (wilder and ema smoothing)', () => {
    for (const period of [1, 5, 14]) {
      for (const smoothing_method of ['wilder', 'ema'] as const) {
        expectBatchEqualsIncremental(adxDefinition, { ...P5, period, smoothing_method }, seededCandles({ count: 2000, seed: period }));
      }
    }
  });

  it('converges to TA-Lib ADX/+DI/−DI one bar later (shift 1), to 1e-9 relative', () => {
    const candles = seededCandles({ count: 4000, seed: 9 });
    for (const period of [5, 14]) {
      const ours = computeBatch(adxDefinition, { ...P5, period }, candles);
      const opts = { optInTimePeriod: period };
      const shift = (xs: number[]): number[] => [Number.NaN, ...xs.slice(0, -1)];
      const refs: Array<[string, string]> = [
        ['ADX_value', 'ADX'],
        ['DI_plus', 'PLUS_DI'],
        ['DI_minus', 'MINUS_DI'],
      ];
      for (const [col, fn] of refs) {
        const ref = shift(talibSeries(talib, fn, candles, opts)['outReal']!);
        const { failures, compared } = compareSeries(`${col}(${period})`, ours[col]!, ref, 60 * period, 1e-9);
        expect(failures).toEqual([]);
        expect(compared).toBeGreaterThan(3000);
      }
    }
  });

  it('rejects invalid parameters like the original constructor', () => {
    expect(adxDefinition.parseParams({})).toEqual({
      ok: true,
      params: { period: 14, trend_threshold: 25, range_threshold: 20, smoothing_method: 'wilder' },
    });
    expect(adxDefinition.parseParams({ period: 0 }).ok).toBe(false);
    expect(adxDefinition.parseParams({ trend_threshold: 20, range_threshold: 20 }).ok).toBe(false);
    expect(adxDefinition.parseParams({ smoothing_method: 'sma' }).ok).toBe(false);
  });
});
