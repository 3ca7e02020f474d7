import type { Candle } from '../model/candle.js';
import { WilderAtr } from './common.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from './indicator.js';
import { kindsByName } from './output-kind.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';

/**
 * Fair value gaps as the original detects and tracks them (compat §2.4). A gap is found at bar j from
 * bars j−2 and j (threshold max(min_gap_atr_mult·ATR-A(14)_j, min_gap_pips), or min_gap_pips while the
 * ATR is undefined), stays active until filled, and every output is shifted one bar.
 *
 * Active gaps are kept in growable Float64Array storage (grown by doubling, so no allocation per bar);
 * the cost per bar is O(number of active gaps), as in the original.
 */
export type FvgParams = {
  min_gap_pips: number;
  min_gap_atr_mult: number;
  max_lookback: number;
  vp_bin_edges: number[] | null;
  vp_bin_centers: number[] | null;
};

const SPECS: ParamSpecs = {
  min_gap_pips: { kind: 'number', default: 1.0 },
  min_gap_atr_mult: { kind: 'number', default: 0.25, min: 0 },
  max_lookback: { kind: 'ignored', default: 500 },
  vp_bin_edges: { kind: 'numberList', default: null },
  vp_bin_centers: { kind: 'numberList', default: null },
};

const ATR_PERIOD = 14; // fixed in the original

/** Growable list of gaps (bottom, top, mid) in typed arrays. */
class GapList {
  bottom: Float64Array = new Float64Array(16);
  top: Float64Array = new Float64Array(16);
  mid: Float64Array = new Float64Array(16);
  length = 0;

  add(bottom: number, top: number): void {
    if (this.length === this.bottom.length) {
      const grow = (a: Float64Array): Float64Array => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.bottom = grow(this.bottom);
      this.top = grow(this.top);
      this.mid = grow(this.mid);
    }
    const k = this.length++;
    this.bottom[k] = bottom;
    this.top[k] = top;
    this.mid[k] = (top + bottom) / 2;
  }

  /** Removes entry k keeping creation order. */
  removeAt(k: number): void {
    const n = --this.length;
    this.bottom.copyWithin(k, k + 1, n + 1);
    this.top.copyWithin(k, k + 1, n + 1);
    this.mid.copyWithin(k, k + 1, n + 1);
  }
}

const OUTPUTS = [
  'FVG_bullish_signal',
  'FVG_bearish_signal',
  'FVG_gap_filled',
  'FVG_nearest_support',
  'FVG_nearest_resistance',
  'FVG_nearest_support_mid',
  'FVG_nearest_resistance_mid',
  'FVG_active_bullish_gaps',
  'FVG_active_bearish_gaps',
  'FVG_bullish_bin_idx',
  'FVG_bearish_bin_idx',
  'FVG_lvn_dist',
  'FVG_hvn_dist',
] as const;

const EMPTY: readonly IndicatorValue[] = [false, false, false, NaN, NaN, NaN, NaN, 0, 0, -1, -1, NaN, NaN];

export class Fvg implements Indicator {
  readonly outputNames: readonly string[] = OUTPUTS;
  readonly values: IndicatorValue[] = [...EMPTY];
  readonly warmupBars = 3;
  private readonly atr = new WilderAtr(ATR_PERIOD);
  private readonly bull = new GapList();
  private readonly bear = new GapList();
  /** Every gap ever created (only kept when bin edges are supplied, for the bin-index quirk). */
  private readonly bullHistory: GapList | null;
  private readonly bearHistory: GapList | null;
  private readonly edges: Float64Array | null;
  private count = 0;
  // The two previous candles' high/low (c1 = bar j−2, c2 = bar j−1).
  private h1 = NaN;
  private l1 = NaN;
  private h2 = NaN;
  private l2 = NaN;
  // Unshifted results of the previous bar, reported on the next update.
  private pBullSig = false;
  private pBearSig = false;
  private pFilled = false;
  private pSupport = NaN;
  private pResistance = NaN;
  private pSupportMid = NaN;
  private pResistanceMid = NaN;
  private pBullCount = 0;
  private pBearCount = 0;
  private pBullBin = -1;
  private pBearBin = -1;

  constructor(readonly params: FvgParams) {
    const edges = params.vp_bin_edges;
    this.edges = edges !== null && edges.length >= 2 ? Float64Array.from(edges) : null;
    this.bullHistory = this.edges !== null ? new GapList() : null;
    this.bearHistory = this.edges !== null ? new GapList() : null;
  }

  /** Bin of a price given VP bin edges (number of edges ≤ price, minus one), −1 outside the edges. */
  private binOf(price: number): number {
    const e = this.edges as Float64Array;
    let k = 0;
    while (k < e.length && (e[k] as number) <= price) k++;
    const bin = k - 1;
    return bin >= 0 && bin < e.length - 1 ? bin : price === e[e.length - 1] ? e.length - 2 : -1;
  }

  update(candle: Candle): void {
    const { high, low, close } = candle;
    const atr = this.atr.push(high, low, close);
    const j = this.count++;

    // 1. Detection with c1 = bar j−2 and c3 = bar j.
    if (j >= 2) {
      const pips = this.params.min_gap_pips;
      const tau = atr === atr ? Math.max(this.params.min_gap_atr_mult * atr, pips) : pips;
      const h1 = this.h1;
      const l1 = this.l1;
      if (low > h1 && low - h1 >= tau) {
        this.bull.add(h1, low);
        this.bullHistory?.add(h1, low);
      } else if (high < l1 && l1 - high >= tau) {
        this.bear.add(high, l1);
        this.bearHistory?.add(high, l1);
      }
    }
    this.h1 = this.h2;
    this.l1 = this.l2;
    this.h2 = high;
    this.l2 = low;

    // 2. Fill check, signal, nearest levels and counts over the active gaps.
    let filled = false;
    let bullSig = false;
    let bearSig = false;
    let support = NaN;
    let supportMid = NaN;
    let resistance = NaN;
    let resistanceMid = NaN;
    const bull = this.bull;
    for (let k = 0; k < bull.length; ) {
      const bottom = bull.bottom[k] as number;
      const top = bull.top[k] as number;
      if (low <= bottom) {
        filled = true;
        bull.removeAt(k);
        continue;
      }
      if ((bottom <= close && close <= top) || (low <= top && high >= bottom)) bullSig = true;
      if (top < close && !(top <= support)) {
        support = top;
        supportMid = bull.mid[k] as number;
      }
      k++;
    }
    const bear = this.bear;
    for (let k = 0; k < bear.length; ) {
      const bottom = bear.bottom[k] as number;
      const top = bear.top[k] as number;
      if (high >= top) {
        filled = true;
        bear.removeAt(k);
        continue;
      }
      if ((bottom <= close && close <= top) || (low <= top && high >= bottom)) bearSig = true;
      if (bottom > close && !(bottom >= resistance)) {
        resistance = bottom;
        resistanceMid = bear.mid[k] as number;
      }
      k++;
    }
    let bullBin = -1;
    let bearBin = -1;
    if (this.bullHistory !== null && this.bearHistory !== null) {
      // Quirk: the most recent gap that the current bar alone does not fill, even if filled earlier.
      const bh = this.bullHistory;
      for (let k = bh.length - 1; k >= 0; k--) {
        if (low > (bh.bottom[k] as number)) {
          bullBin = this.binOf(bh.mid[k] as number);
          break;
        }
      }
      const sh = this.bearHistory;
      for (let k = sh.length - 1; k >= 0; k--) {
        if (high < (sh.top[k] as number)) {
          bearBin = this.binOf(sh.mid[k] as number);
          break;
        }
      }
    }

    // 3. Report the previous bar's results (shift 1), keep this bar's for the next update.
    const v = this.values;
    v[0] = this.pBullSig;
    v[1] = this.pBearSig;
    v[2] = this.pFilled;
    v[3] = this.pSupport;
    v[4] = this.pResistance;
    v[5] = this.pSupportMid;
    v[6] = this.pResistanceMid;
    v[7] = this.pBullCount;
    v[8] = this.pBearCount;
    v[9] = this.pBullBin;
    v[10] = this.pBearBin;
    this.pBullSig = bullSig;
    this.pBearSig = bearSig;
    this.pFilled = filled;
    this.pSupport = support;
    this.pResistance = resistance;
    this.pSupportMid = supportMid;
    this.pResistanceMid = resistanceMid;
    this.pBullCount = bull.length;
    this.pBearCount = bear.length;
    this.pBullBin = bullBin;
    this.pBearBin = bearBin;
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }
}

export const fvgDefinition: IndicatorDefinition<FvgParams> = {
  type: 'FVG',
  outputKind: kindsByName({ FVG_bullish_signal: 'boolean', FVG_bearish_signal: 'boolean', FVG_gap_filled: 'boolean', FVG_nearest_support: 'price', FVG_nearest_resistance: 'price', FVG_nearest_support_mid: 'price', FVG_nearest_resistance_mid: 'price', FVG_active_bullish_gaps: 'count', FVG_active_bearish_gaps: 'count', FVG_bullish_bin_idx: 'count', FVG_bearish_bin_idx: 'count' }, 'unbounded'),
  original: { params: Object.keys(SPECS) },
  parseParams: (raw) => parseWithSpecs<FvgParams>('FVG', SPECS, raw),
  create: (params) => new Fvg(params),
};
