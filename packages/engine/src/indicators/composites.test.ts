import { describe, expect, it } from 'vitest';
import type { Candle } from '../model/candle.js';
import { computeBatch, type UpstreamColumnArrays } from './batch.js';
import type { IndicatorValue } from './indicator.js';
import { riskManagementDefinition, type RiskManagementParams } from './risk-management.js';
import { expectBatchEqualsIncremental } from './testing/assertions.js';
import { finalName, runPipeline } from './testing/pipeline.js';
import { seededCandles } from './testing/seeded-candles.js';
import { vpfvgSignalDefinition, type VpfvgSignalParams } from './vpfvg-signal.js';

const VF: VpfvgSignalParams = {
  atr_period: 14,
  lvn_dist_multiplier: 0.25,
  poc_shift_multiplier: 0.5,
  hvn_overlap_pct: 0.05,
  min_fvg_size: 1.0,
  lookback_validation: 5,
};
const RM: RiskManagementParams = {
  atr_period: 14,
  initial_stop_atr_mult: 0.5,
  trailing_stop_atr_mult: 1.0,
  target_atr_mult: 2.0,
  breakeven_r_mult: 1.0,
  enable_trailing: true,
};

/** Flat candles with H − L = 2 around close 100, so ATR-A(14) is exactly 2 from bar 14 on. */
function flatCandles(n: number): Candle[] {
  return Array.from({ length: n }, (_, i) => ({
    openTime: i * 60_000,
    closeTime: (i + 1) * 60_000,
    open: 100,
    high: 101,
    low: 99,
    close: 100,
    volume: 1,
  }));
}

/** Builds upstream columns of length n from sparse per-bar overrides. */
function columns(n: number, defaults: Record<string, IndicatorValue>, overrides: Record<number, Record<string, IndicatorValue>>): UpstreamColumnArrays {
  return Object.entries(defaults).map(([name, d]) => [
    name,
    Array.from({ length: n }, (_, i) => (overrides[i] !== undefined && name in overrides[i]! ? overrides[i]![name]! : d)),
  ]);
}

describe('VPFVGSignal (compat §2.6)', () => {
  const defaults: Record<string, IndicatorValue> = {
    VP_poc_price: 100,
    VP_is_lvn: false,
    VP_is_hvn: false,
    VP_nearest_lvn_price: NaN,
    VP_nearest_hvn_price: NaN,
    FVG_bullish_signal: false,
    FVG_bearish_signal: false,
    FVG_nearest_support_mid: NaN,
    FVG_nearest_resistance_mid: NaN,
    FVG_active_bullish_gaps: 0,
    FVG_active_bearish_gaps: 0,
  };

  it('emits the empty result when an input column is missing', () => {
    const n = 40;
    const up = columns(n, { ...defaults }, {}).filter(([name]) => name !== 'FVG_active_bearish_gaps');
    const cols = computeBatch(vpfvgSignalDefinition, VF, flatCandles(n), up);
    expect(cols['signal_strength']?.every((v) => v === 0)).toBe(true);
    expect(cols['signal_type']?.every((v) => v === 'reversal')).toBe(true);
    expect(cols['vf_atr']?.every((v) => Number.isNaN(v))).toBe(true);
    expect(cols['vf_long']?.every((v) => v === false)).toBe(true);
  });

  it('vf_long: bullish FVG with a support mid near an LVN, or with no LVN at all', () => {
    const n = 30;
    const up = columns(n, defaults, {
      10: { FVG_bullish_signal: true, FVG_nearest_support_mid: 100, VP_nearest_lvn_price: 100.4 }, // ATR undefined
      20: { FVG_bullish_signal: true, FVG_nearest_support_mid: 100, VP_nearest_lvn_price: 100.4 }, // 0.4 <= 2·0.25
      21: { FVG_bullish_signal: true, FVG_nearest_support_mid: 100, VP_nearest_lvn_price: 101 }, // 1 > 0.5
      22: { FVG_bullish_signal: true, FVG_nearest_support_mid: 100 }, // no LVN: accepted
      23: { FVG_bullish_signal: true }, // no support mid
      24: { FVG_nearest_support_mid: 100, VP_nearest_lvn_price: 100 }, // no FVG signal
    });
    const cols = computeBatch(vpfvgSignalDefinition, VF, flatCandles(n), up);
    const longs = cols['vf_long']!.flatMap((v, i) => (v === true ? [i] : []));
    expect(longs).toEqual([20, 22]);
    expect(cols['vf_lvn_distance']?.[20]).toBeCloseTo(0.4, 12);
    expect(cols['vf_lvn_distance_pct']?.[20]).toBeCloseTo(0.2, 12);
    expect(cols['vf_lvn_distance']?.[22]).toBeNaN();
    expect(cols['vf_lvn_distance_pct']?.[22]).toBe(0);
    expect(cols['vf_lvn_distance']?.[21]).toBeNaN();
    expect(cols['vf_atr']?.[13]).toBeNaN();
    expect(cols['vf_atr']?.[14]).toBe(2);
    expect(cols['signal_strength']?.[0]).toBe(0.7);
  });

  it('vf_short: bearish FVG, POC shift above poc_shift_multiplier·ATR, HVN overlap or no HVN', () => {
    const n = 40;
    const up = columns(n, defaults, {
      // POC jumps 100 → 102 at bar 30 (shift 2 > 2·0.5); overlap = 1 − 0.5/2 = 0.75
      30: { VP_poc_price: 102, FVG_bearish_signal: true, FVG_nearest_resistance_mid: 105, VP_nearest_hvn_price: 105.5 },
      31: { VP_poc_price: 102, FVG_bearish_signal: true, FVG_nearest_resistance_mid: 105, VP_nearest_hvn_price: 105.5 }, // no shift
      32: { VP_poc_price: 100, FVG_bearish_signal: true, FVG_nearest_resistance_mid: 105 }, // no HVN: accepted
      33: { VP_poc_price: 102, FVG_bearish_signal: true, FVG_nearest_resistance_mid: 105, VP_nearest_hvn_price: 115 }, // overlap 0
      34: { VP_poc_price: 100, FVG_bearish_signal: false, FVG_nearest_resistance_mid: 105, VP_nearest_hvn_price: 105 },
    });
    const cols = computeBatch(vpfvgSignalDefinition, VF, flatCandles(n), up);
    const shorts = cols['vf_short']!.flatMap((v, i) => (v === true ? [i] : []));
    expect(shorts).toEqual([30, 32]);
    expect(cols['vf_poc_shift']?.[30]).toBe(2);
    expect(cols['vf_poc_shift_pct']?.[30]).toBe(1);
    expect(cols['vf_hvn_overlap']?.[30]).toBeCloseTo(0.75, 12);
    expect(cols['vf_hvn_distance_pct']?.[30]).toBeCloseTo(0.25, 12);
    expect(cols['vf_hvn_overlap']?.[32]).toBe(1);
    expect(cols['vf_hvn_distance_pct']?.[32]).toBeNaN();
    expect(cols['vf_poc_shift']?.[0]).toBeNaN();
    expect(cols['vf_poc_shift']?.[1]).toBe(0);
  });

  it('batch equals incremental bit for bit, with upstream columns', () => {
    const n = 40;
    const up = columns(n, defaults, {
      20: { FVG_bullish_signal: true, FVG_nearest_support_mid: 100, VP_nearest_lvn_price: 100.4 },
      30: { VP_poc_price: 102, FVG_bearish_signal: true, FVG_nearest_resistance_mid: 105, VP_nearest_hvn_price: 105.5 },
    });
    expectBatchEqualsIncremental(vpfvgSignalDefinition, VF, flatCandles(n), up);
  });
});

describe('RiskManagement (compat §2.7)', () => {
  const defaults: Record<string, IndicatorValue> = {
    FVG_bullish_signal: false,
    FVG_bearish_signal: false,
    FVG_nearest_support: NaN,
    FVG_nearest_resistance: NaN,
  };

  it('opens a long shadow position, moves the stop to break-even at 1R and exits on the stop', () => {
    const candles = flatCandles(25);
    candles[17] = { ...candles[17]!, close: 102, high: 102.5, low: 101 };
    candles[18] = { ...candles[18]!, close: 100.5, high: 102, low: 99.8 };
    const up = columns(25, defaults, {
      15: { FVG_bullish_signal: true, FVG_nearest_support: 99.5 },
      18: { FVG_bullish_signal: true }, // still in a position before the exit: no re-entry
      20: { FVG_bullish_signal: true }, // no support level: stop from the close
    });
    const cols = computeBatch(riskManagementDefinition, RM, candles, up);
    // Entry at bar 15: entry 100, stop 99.5 − 0.5·2 = 98.5, target 100 + 2·2 = 104.
    expect(cols['long_stop_loss_immediate']?.[15]).toBe(98.5);
    expect(cols['long_stop_loss']?.[15]).toBeNaN();
    expect(cols['long_stop_loss']?.[16]).toBe(98.5);
    expect(cols['long_target']?.[16]).toBe(104);
    expect(cols['long_trailing_stop']?.[16]).toBe(98.5);
    expect(cols['long_entry_price']?.[16]).toBe(100);
    expect(cols['long_r_multiple']?.[16]).toBe(0);
    expect(cols['long_position_active']?.[16]).toBe(true);
    // Bar 17: R = 2/1.5 ≥ 1 → trailing stop to the entry price.
    expect(cols['long_trailing_stop']?.[18]).toBe(100);
    expect(cols['long_r_multiple']?.[18]).toBeCloseTo(2 / 1.5, 12);
    // Bar 18: low 99.8 ≤ 100 → stop hit, reported on bar 19.
    expect(cols['long_stop_hit']?.[19]).toBe(true);
    expect(cols['exit_long_risk']?.[19]).toBe(true);
    expect(cols['long_position_active']?.[19]).toBe(false);
    expect(cols['long_stop_loss']?.[19]).toBeNaN();
    expect(cols['exit_long_risk']?.filter((v) => v === true).length).toBe(1);
    // Bar 20: new entry, stop = close − 0.5·ATR (ATR moved after bars 17/18, so recompute it here).
    const imm = cols['long_stop_loss_immediate']?.[20] as number;
    expect(imm).toBeLessThan(100);
    expect(cols['long_position_active']?.[21]).toBe(true);
    expect(cols['short_position_active']?.every((v) => v === false)).toBe(true);
  });

  it('short: stop is checked before the target and can trigger on the entry bar', () => {
    const candles = flatCandles(25);
    const up = columns(25, defaults, { 15: { FVG_bearish_signal: true } });
    const cols = computeBatch(riskManagementDefinition, RM, candles, up);
    // entry 100, stop 100 + 0.5·2 = 101 = the bar's high → stopped on the entry bar.
    expect(cols['short_stop_hit']?.[16]).toBe(true);
    expect(cols['short_target_hit']?.[16]).toBe(false);
    expect(cols['short_stop_loss_immediate']?.[15]).toBeNaN();
    // Stop from the resistance level: 99 + 0.5·2 = 100 ≤ the entry bar's high 101 → stopped at once.
    const up2 = columns(25, defaults, { 15: { FVG_bearish_signal: true, FVG_nearest_resistance: 99 } });
    expect(computeBatch(riskManagementDefinition, RM, candles, up2)['short_stop_hit']?.[16]).toBe(true);

    // Resistance 100.6 → stop 101.6 (above the high 101 of bar 15), target 100 − 2·2 = 96.
    const up3 = columns(25, defaults, { 15: { FVG_bearish_signal: true, FVG_nearest_resistance: 100.6 } });
    const hit = flatCandles(25);
    hit[16] = { ...hit[16]!, high: 99.9, low: 95, close: 96 }; // R = 4/1.6 ≥ 1 → trailing 100; 99.9 < 100; low ≤ 96
    const cols3 = computeBatch(riskManagementDefinition, RM, hit, up3);
    expect(cols3['short_stop_loss']?.[16]).toBeCloseTo(101.6, 12);
    expect(cols3['short_target']?.[16]).toBe(96);
    expect(cols3['short_target_hit']?.[17]).toBe(true);
    expect(cols3['short_stop_hit']?.[17]).toBe(false);
    expect(cols3['exit_short_risk']?.[17]).toBe(true);

    // Same bar but a high of 100.2: the break-even move (to 100) happens before the exit check → stop first.
    const both = flatCandles(25);
    both[16] = { ...both[16]!, high: 100.2, low: 95, close: 96 };
    const cols4 = computeBatch(riskManagementDefinition, RM, both, up3);
    expect(cols4['short_stop_hit']?.[17]).toBe(true);
    expect(cols4['short_target_hit']?.[17]).toBe(false);
  });

  it('without any signal column it emits the empty result', () => {
    const cols = computeBatch(riskManagementDefinition, RM, flatCandles(30), [['VP_poc_price', new Array(30).fill(100)]]);
    expect(cols['long_stop_loss']?.every((v) => Number.isNaN(v))).toBe(true);
    expect(cols['exit_long_risk']?.every((v) => v === false)).toBe(true);
  });

  it('batch equals incremental bit for bit, with upstream columns', () => {
    const candles = flatCandles(25);
    candles[17] = { ...candles[17]!, close: 102, high: 102.5, low: 101 };
    const up = columns(25, defaults, { 15: { FVG_bullish_signal: true, FVG_bearish_signal: true, FVG_nearest_support: 99.5 } });
    expectBatchEqualsIncremental(riskManagementDefinition, RM, candles, up);
  });
});

describe('VP → FVG → VPFVGSignal → RiskManagement pipeline (final names, config order)', () => {
  const candles = seededCandles({ count: 2500, seed: 4242, volatility: 0.015 });
  const entries = [
    { id: 'VP', type: 'VolumeProfile', params: { lookback: 96, price_bins: 24, min_volume_threshold: 0.5 } },
    { id: 'FVG', type: 'FVG' },
    { id: 'VPFVGSignal', type: 'VPFVGSignal' },
    { id: 'RiskManagement', type: 'RiskManagement' },
  ];

  it('produces signals and shadow positions, with the id-prefix names of the original', () => {
    const cols = new Map(runPipeline(candles, entries));
    expect(cols.has('VP_poc_price')).toBe(true);
    expect(cols.has('FVG_bullish_signal')).toBe(true);
    expect(cols.has('VPFVGSignal_vf_long')).toBe(true);
    expect(cols.has('RiskManagement_exit_long_risk')).toBe(true);
    expect(finalName('FVG_Enhanced', 'FVG_bullish_signal')).toBe('FVG_Enhanced_FVG_bullish_signal');
    expect(cols.get('VPFVGSignal_vf_long')?.some((v) => v === true)).toBe(true);
    expect(cols.get('VPFVGSignal_signal_strength')?.[100]).toBe(0.7);
    expect(cols.get('RiskManagement_long_position_active')?.some((v) => v === true)).toBe(true);
    expect(cols.get('RiskManagement_exit_short_risk')?.some((v) => v === true)).toBe(true);
  });

  it('RiskManagement triggers on the FVG signal, not on vf_long, when FVG comes first', () => {
    const withVf = new Map(runPipeline(candles, entries));
    const withoutVf = new Map(runPipeline(candles, [entries[0]!, entries[1]!, entries[3]!]));
    for (const name of ['RiskManagement_long_entry_price', 'RiskManagement_short_stop_loss', 'RiskManagement_exit_long_risk']) {
      const a = withVf.get(name)!;
      const b = withoutVf.get(name)!;
      expect(a.every((v, i) => Object.is(v, b[i]))).toBe(true);
    }
  });

  it('every composite stage: batch equals incremental bit for bit', () => {
    const all = runPipeline(candles, entries);
    const upToFvg = all.filter(([n]) => n.startsWith('VP_') || n.startsWith('FVG_'));
    const upToVf = all.filter(([n]) => !n.startsWith('RiskManagement_'));
    expectBatchEqualsIncremental(vpfvgSignalDefinition, VF, candles, upToFvg);
    expectBatchEqualsIncremental(riskManagementDefinition, RM, candles, upToVf);
  });
});
