import { describe, expect, it } from 'vitest';
import type { Candle } from '../model/candle.js';
import { computeBatch } from './batch.js';
import { expectBatchEqualsIncremental } from './testing/assertions.js';
import { goldenSeries } from './testing/golden-series.js';
import { seededCandles } from './testing/seeded-candles.js';
import { volumeProfileDefinition, type VolumeProfileParams } from './volume-profile.js';

function params(raw: Record<string, unknown>): VolumeProfileParams {
  const r = volumeProfileDefinition.parseParams(raw);
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.params;
}

// compat §2.8: VolumeProfile on the golden series (lookback 10, price_bins 5, value_area_pct 70,
// min_volume_threshold 0, update_frequency 1), outputs of the original code.
const GOLDEN: ReadonlyArray<{
  t: number;
  poc: number;
  vah: number;
  val: number;
  total: number;
  va: number;
  avg: number;
  strength: number;
  balance: number;
  lvn: number;
  isLvn: boolean;
}> = [
  { t: 10, poc: 110.2178557, vah: 113.70867162, val: 106.72703979, total: 120, va: 94.0, avg: 12, strength: 0.35833333, balance: 0.56610169, lvn: NaN, isLvn: false },
  { t: 11, poc: 110.2178557, vah: 113.70867162, val: 106.72703979, total: 120, va: 99.0, avg: 12, strength: 0.35833333, balance: 0.56610169, lvn: 99.74540796, isLvn: false },
  { t: 12, poc: 110.36402456, vah: 113.75739457, val: 106.97065455, total: 120, va: 94.66666667, avg: 12, strength: 0.34027778, balance: 0.54220779, lvn: 100.18391452, isLvn: true },
  { t: 13, poc: 110.04744822, vah: 113.65186912, val: 106.44302731, total: 120, va: 91.0, avg: 12, strength: 0.325, balance: 0.52351097, lvn: 99.23418550, isLvn: true },
];

function close8(actual: unknown, expected: number, label: string): void {
  if (Number.isNaN(expected)) {
    expect(actual, label).toBeNaN();
    return;
  }
  expect(typeof actual, label).toBe('number');
  expect(Math.abs((actual as number) - expected), label).toBeLessThanOrEqual(5.1e-9 * Math.max(1, Math.abs(expected)));
}

describe('VolumeProfile (compat §2.5)', () => {
  const P = params({ lookback: 10, price_bins: 5, value_area_pct: 70, min_volume_threshold: 0, update_frequency: 1 });

  it('reproduces the golden table of the original', () => {
    const cols = computeBatch(volumeProfileDefinition, P, goldenSeries());
    for (const g of GOLDEN) {
      const at = (name: string): unknown => cols[name]?.[g.t];
      close8(at('poc_price'), g.poc, `poc_price[${g.t}]`);
      close8(at('vah_price'), g.vah, `vah_price[${g.t}]`);
      close8(at('val_price'), g.val, `val_price[${g.t}]`);
      close8(at('total_volume'), g.total, `total_volume[${g.t}]`);
      close8(at('value_area_volume'), g.va, `value_area_volume[${g.t}]`);
      close8(at('average_volume'), g.avg, `average_volume[${g.t}]`);
      close8(at('poc_strength'), g.strength, `poc_strength[${g.t}]`);
      close8(at('profile_balance'), g.balance, `profile_balance[${g.t}]`);
      close8(at('nearest_lvn_price'), g.lvn, `nearest_lvn_price[${g.t}]`);
      expect(at('is_lvn'), `is_lvn[${g.t}]`).toBe(g.isLvn);
      // "nearest_hvn_price equals poc_price on these rows"
      close8(at('nearest_hvn_price'), g.poc, `nearest_hvn_price[${g.t}]`);
    }
    for (let t = 0; t < 10; t++) {
      for (const name of ['poc_price', 'vah_price', 'val_price', 'total_volume', 'value_area_volume', 'average_volume']) {
        expect(cols[name]?.[t], `${name}[${t}]`).toBeNaN();
      }
    }
    // Shifted booleans: the first row is null, later rows are booleans.
    expect(cols['is_lvn']?.[0]).toBeNull();
    expect(cols['is_lvn']?.[1]).toBe(false);
  });

  it('derives price relations from the current close and the shifted levels', () => {
    const candles = goldenSeries();
    const cols = computeBatch(volumeProfileDefinition, P, candles);
    for (let t = 0; t < candles.length; t++) {
      const c = candles[t]!.close;
      const poc = cols['poc_price']?.[t] as number;
      const vah = cols['vah_price']?.[t] as number;
      const val = cols['val_price']?.[t] as number;
      expect(cols['price_above_poc']?.[t]).toBe(c > poc);
      expect(cols['price_below_poc']?.[t]).toBe(c < poc);
      expect(cols['price_in_value_area']?.[t]).toBe(val <= c && c <= vah);
      expect(Object.is(cols['dist_to_poc']?.[t], c - poc)).toBe(true);
      expect(Object.is(cols['dist_to_vah']?.[t], c - vah)).toBe(true);
      expect(Object.is(cols['dist_to_val']?.[t], c - val)).toBe(true);
    }
  });

  it('recomputes every update_frequency bars, carrying levels and clearing events in between', () => {
    const candles = seededCandles({ count: 400, seed: 17 });
    const every = computeBatch(volumeProfileDefinition, params({ lookback: 40, price_bins: 12, min_volume_threshold: 0 }), candles);
    const sparse = computeBatch(
      volumeProfileDefinition,
      params({ lookback: 40, price_bins: 12, min_volume_threshold: 0, update_frequency: 4 }),
      candles,
    );
    // Computed at bars 39, 43, 47, … → reported (shifted) at 40, 44, 48, …
    for (let t = 40; t < 400; t++) {
      const computedBar = t - 1;
      const recompute = (computedBar - 39) % 4 === 0;
      const source = recompute ? t : t - ((computedBar - 39) % 4);
      expect(sparse['poc_price']?.[t], `poc_price[${t}]`).toBe(every['poc_price']?.[source]);
      if (!recompute) {
        expect(sparse['volume_spike']?.[t]).toBe(false);
        expect(sparse['poc_breakout']?.[t]).toBe(false);
      }
    }
  });

  it('forward-fills the shifted node prices', () => {
    const candles = seededCandles({ count: 600, seed: 23 });
    const cols = computeBatch(volumeProfileDefinition, params({ lookback: 60, price_bins: 30, min_volume_threshold: 0 }), candles);
    const lvn = cols['nearest_lvn_price']!;
    const firstDefined = lvn.findIndex((v) => !Number.isNaN(v as number));
    expect(firstDefined).toBeGreaterThanOrEqual(60);
    for (let t = firstDefined; t < lvn.length; t++) expect(Number.isNaN(lvn[t] as number)).toBe(false);
  });

  it('ignores zero-volume candles for the price range (large-N path)', () => {
    const base: Candle[] = goldenSeries(12);
    // A zero-volume candle with an extreme range must not widen the profile.
    const spiked = base.map((c, i) => (i === 5 ? { ...c, high: 500, low: 1, volume: 0 } : c));
    const a = computeBatch(volumeProfileDefinition, P, base.map((c, i) => (i === 5 ? { ...c, volume: 0 } : c)));
    const b = computeBatch(volumeProfileDefinition, P, spiked);
    expect(b['poc_price']?.[10]).toBe(a['poc_price']?.[10]);
    expect(b['vah_price']?.[11]).toBe(a['vah_price']?.[11]);
  });

  it('batch equals incremental bit for bit', () => {
    const candles = seededCandles({ count: 1500, seed: 31, zeroVolumeProbability: 0.05 });
    for (const raw of [{ lookback: 100 }, { lookback: 30, price_bins: 7, update_frequency: 3, min_volume_threshold: 0, hvn_threshold: 1.1, lvn_threshold: 0.9 }]) {
      expectBatchEqualsIncremental(volumeProfileDefinition, params(raw), candles);
    }
  });

  it('validates parameters (period is not a VolumeProfile parameter)', () => {
    expect(volumeProfileDefinition.parseParams({ period: 20 }).ok).toBe(false);
    expect(volumeProfileDefinition.parseParams({ lookback_hours: 48, enable_vectorization: false }).ok).toBe(true);
    expect(volumeProfileDefinition.parseParams({ price_bins: 0 }).ok).toBe(false);
  });
});
