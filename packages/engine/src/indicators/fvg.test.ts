import { describe, expect, it } from 'vitest';
import { computeBatch } from './batch.js';
import { fvgDefinition, type FvgParams } from './fvg.js';
import type { Candle } from '../model/candle.js';
import { expectBatchEqualsIncremental } from './testing/assertions.js';
import { seededCandles } from './testing/seeded-candles.js';

const DEFAULTS: FvgParams = { min_gap_pips: 1, min_gap_atr_mult: 0.25, max_lookback: 500, vp_bin_edges: null, vp_bin_centers: null };

function bars(h: number[], l: number[], c: number[]): Candle[] {
  return h.map((high, i) => ({
    openTime: i * 900_000,
    closeTime: (i + 1) * 900_000,
    open: c[i - 1] ?? c[0]!,
    high,
    low: l[i]!,
    close: c[i]!,
    volume: 1,
  }));
}

describe('FVG (compat §2.4)', () => {
  it('reproduces the worked example of the compat spec', () => {
    const candles = bars(
      [101, 105, 106, 105, 104, 103, 102, 101],
      [99, 100.5, 103, 103.5, 102.5, 101.5, 100.8, 99],
      [100.5, 104, 105, 104, 103, 102, 101, 100],
    );
    const cols = computeBatch(fvgDefinition, DEFAULTS, candles);
    const F = false;
    const T = true;
    expect(cols['FVG_bullish_signal']).toEqual([F, F, F, T, F, T, T, F]);
    expect(cols['FVG_gap_filled']).toEqual([F, F, F, F, F, F, F, T]);
    expect(cols['FVG_nearest_support']).toEqual([NaN, NaN, NaN, 103, 103, NaN, NaN, NaN]);
    expect(cols['FVG_nearest_support_mid']).toEqual([NaN, NaN, NaN, 102, 102, NaN, NaN, NaN]);
    expect(cols['FVG_active_bullish_gaps']).toEqual([0, 0, 0, 1, 1, 1, 1, 0]);
    expect(cols['FVG_bearish_signal']).toEqual([F, F, F, F, F, F, F, F]);
    expect(cols['FVG_active_bearish_gaps']).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(cols['FVG_bullish_bin_idx']).toEqual([-1, -1, -1, -1, -1, -1, -1, -1]);
    expect(cols['FVG_lvn_dist']?.every((v) => Number.isNaN(v))).toBe(true);
    expect(cols['FVG_hvn_dist']?.every((v) => Number.isNaN(v))).toBe(true);
  });

  it('detects bearish gaps symmetrically and fills them when the high reaches the top', () => {
    // Mirror image of the worked example (prices negated around 200).
    const m = (xs: number[]): number[] => xs.map((x) => 200 - x);
    const candles = bars(
      m([99, 100.5, 103, 103.5, 102.5, 101.5, 100.8, 99]),
      m([101, 105, 106, 105, 104, 103, 102, 101]),
      m([100.5, 104, 105, 104, 103, 102, 101, 100]),
    );
    const cols = computeBatch(fvgDefinition, DEFAULTS, candles);
    const F = false;
    const T = true;
    expect(cols['FVG_bearish_signal']).toEqual([F, F, F, T, F, T, T, F]);
    expect(cols['FVG_gap_filled']).toEqual([F, F, F, F, F, F, F, T]);
    expect(cols['FVG_nearest_resistance']).toEqual([NaN, NaN, NaN, 97, 97, NaN, NaN, NaN]);
    expect(cols['FVG_nearest_resistance_mid']).toEqual([NaN, NaN, NaN, 98, 98, NaN, NaN, NaN]);
    expect(cols['FVG_active_bearish_gaps']).toEqual([0, 0, 0, 1, 1, 1, 1, 0]);
    expect(cols['FVG_active_bullish_gaps']).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('requires the gap to reach min_gap_pips (and the ATR multiple once the ATR exists)', () => {
    const candles = bars(
      [101, 105, 106, 105, 104, 103, 102, 101],
      [99, 100.5, 103, 103.5, 102.5, 101.5, 100.8, 99],
      [100.5, 104, 105, 104, 103, 102, 101, 100],
    );
    const cols = computeBatch(fvgDefinition, { ...DEFAULTS, min_gap_pips: 2.5 }, candles);
    expect(cols['FVG_active_bullish_gaps']).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(computeBatch(fvgDefinition, { ...DEFAULTS, min_gap_pips: 2 }, candles)['FVG_active_bullish_gaps']?.[3]).toBe(1);
  });

  it('batch equals incremental bit for bit', () => {
    for (const params of [DEFAULTS, { ...DEFAULTS, min_gap_atr_mult: 0, min_gap_pips: 0 }, { ...DEFAULTS, vp_bin_edges: [20000, 25000, 30000, 35000, 40000] }]) {
      const cols = expectBatchEqualsIncremental(fvgDefinition, params, seededCandles({ count: 3000, seed: 77, volatility: 0.02 }));
      expect(cols['FVG_active_bullish_gaps']?.some((v) => (v as number) > 0)).toBe(true);
      expect(cols['FVG_bearish_signal']?.some((v) => v === true)).toBe(true);
    }
  });

  it('validates parameters like the original (keyword-only, min_gap_atr_mult >= 0)', () => {
    expect(fvgDefinition.parseParams({ min_gap_atr_mult: -1 }).ok).toBe(false);
    const bad = fvgDefinition.parseParams({ depends_on: 'VP', min_gap_size: 2 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]).toContain('"depends_on", "min_gap_size"');
    expect(fvgDefinition.parseParams({ max_lookback: 100 }).ok).toBe(true);
  });
});
