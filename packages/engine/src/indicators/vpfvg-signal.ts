import type { Candle } from '../model/candle.js';
import { WilderAtr } from './common.js';
import type { Indicator, IndicatorDefinition, IndicatorValue, UpstreamColumns } from './indicator.js';
import { kindsByName } from './output-kind.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';
import { NO_UPSTREAM, num, truthy, UpstreamLookup } from './upstream.js';

/**
 * VP/FVG confluence signal as in the original (compat §2.6). Reads VolumeProfile and FVG columns that
 * earlier indicators on the same timeframe produced (found by name fragment, first match in config
 * order); without all eleven inputs it emits the original's "empty" result. Not shifted (its inputs
 * are already lagged one bar).
 */
export type VpfvgSignalParams = {
  atr_period: number;
  lvn_dist_multiplier: number;
  poc_shift_multiplier: number;
  hvn_overlap_pct: number;
  min_fvg_size: number;
  lookback_validation: number;
};

const SPECS: ParamSpecs = {
  atr_period: { kind: 'int', default: 14, min: 1 },
  lvn_dist_multiplier: { kind: 'number', default: 0.25 },
  poc_shift_multiplier: { kind: 'number', default: 0.5 },
  // The constructor default (what applies when the key is omitted), not the 0.7 of the original's docs.
  hvn_overlap_pct: { kind: 'number', default: 0.05 },
  min_fvg_size: { kind: 'ignored', default: 1.0 },
  lookback_validation: { kind: 'int', default: 5, min: 0 },
};

/** Name fragments in the original's discovery order. */
export const VPFVG_INPUT_FRAGMENTS = [
  '_poc_price',
  '_is_lvn',
  '_is_hvn',
  '_nearest_lvn_price',
  '_nearest_hvn_price',
  '_bullish_signal',
  '_bearish_signal',
  '_nearest_support_mid',
  '_nearest_resistance_mid',
  '_active_bullish_gaps',
  '_active_bearish_gaps',
] as const;

const IN_POC = 0;
const IN_LVN = 3;
const IN_HVN = 4;
const IN_BULL = 5;
const IN_BEAR = 6;
const IN_SUPPORT_MID = 7;
const IN_RESIST_MID = 8;

const OUTPUTS = [
  'vf_long',
  'vf_short',
  'signal_type',
  'signal_strength',
  'vf_atr',
  'vf_poc_shift',
  'vf_poc_shift_pct',
  'vf_lvn_distance',
  'vf_lvn_distance_pct',
  'vf_hvn_overlap',
  'vf_hvn_distance_pct',
] as const;

export class VpfvgSignal implements Indicator {
  readonly outputNames: readonly string[] = OUTPUTS;
  readonly values: IndicatorValue[] = [false, false, 'reversal', 0.0, NaN, NaN, NaN, NaN, NaN, NaN, NaN];
  readonly warmupBars: number;
  private readonly atr: WilderAtr;
  private readonly inputs = new UpstreamLookup(VPFVG_INPUT_FRAGMENTS.map((f) => (name: string) => name.includes(f)));
  private count = 0;
  private prevPoc = NaN;

  constructor(readonly params: VpfvgSignalParams) {
    this.atr = new WilderAtr(params.atr_period);
    this.warmupBars = Math.max(params.lookback_validation, params.atr_period) + 1;
  }

  update(candle: Candle, upstream: UpstreamColumns = NO_UPSTREAM): void {
    const p = this.params;
    const a = this.atr.push(candle.high, candle.low, candle.close);
    const i = this.count++;
    const v = this.values;
    v[0] = false;
    v[1] = false;
    v[7] = v[8] = v[9] = v[10] = NaN;
    if (!this.inputs.resolve(upstream)) {
      // The original's empty result.
      v[2] = 'reversal';
      v[3] = 0.0;
      v[4] = v[5] = v[6] = NaN;
      this.prevPoc = NaN;
      return;
    }
    const L = this.inputs;
    const poc = num(L.value(upstream, IN_POC));
    const pocShift = i >= 1 ? Math.abs(poc - this.prevPoc) : NaN;
    this.prevPoc = poc;
    v[2] = 'reversal';
    v[3] = 0.7;
    v[4] = a;
    v[5] = pocShift;
    v[6] = pocShift / a;
    if (i < p.lookback_validation || !(a > 0)) return;

    // Long (reversal): bullish FVG with a support gap, near an LVN or with no LVN at all.
    if (truthy(L.value(upstream, IN_BULL))) {
      const supportMid = num(L.value(upstream, IN_SUPPORT_MID));
      if (supportMid === supportMid) {
        const lvn = num(L.value(upstream, IN_LVN));
        const lvnMissing = !Number.isFinite(lvn);
        const dist = lvnMissing ? NaN : Math.abs(supportMid - lvn);
        if (lvnMissing || dist <= a * p.lvn_dist_multiplier) {
          v[0] = true;
          v[7] = dist;
          v[8] = lvnMissing ? 0.0 : dist / a;
        }
      }
    }
    // Short (continuation): bearish FVG, a large POC shift, and HVN overlap (or no HVN / no gap mid).
    if (truthy(L.value(upstream, IN_BEAR)) && pocShift === pocShift && pocShift > a * p.poc_shift_multiplier) {
      const resistMid = num(L.value(upstream, IN_RESIST_MID));
      const hvn = num(L.value(upstream, IN_HVN));
      const hvnDist = Math.abs(resistMid - hvn);
      const overlap = hvnDist === hvnDist ? Math.max(0, 1 - hvnDist / a) : NaN;
      if (overlap !== overlap || overlap >= p.hvn_overlap_pct) {
        v[1] = true;
        v[9] = overlap === overlap ? overlap : 1.0;
        v[10] = hvnDist / a;
      }
    }
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }
}

export const vpfvgSignalDefinition: IndicatorDefinition<VpfvgSignalParams> = {
  type: 'VPFVGSignal',
  outputKind: kindsByName({ vf_long: 'boolean', vf_short: 'boolean', signal_type: 'label', signal_strength: 'bounded', vf_hvn_overlap: 'bounded' }, 'unbounded'),
  original: { params: Object.keys(SPECS) },
  parseParams: (raw) => parseWithSpecs<VpfvgSignalParams>('VPFVGSignal', SPECS, raw),
  create: (params) => new VpfvgSignal(params),
};
