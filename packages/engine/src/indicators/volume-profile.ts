import type { Candle } from '../model/candle.js';
import { WilderAtr } from './common.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from './indicator.js';
import { kindsByName } from './output-kind.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';

/**
 * Rolling volume profile as the original computes it on its large-N ("vectorised") path (compat §2.5):
 * each candle's whole volume is spread evenly over the bins from its low to its high, the profile is
 * recomputed every `update_frequency` bars over the last `lookback` candles, level outputs are shifted
 * one bar, node prices are shifted and forward-filled, and the price-relation outputs compare the
 * current close with the shifted levels. Percent-valued parameters keep the original's units.
 *
 * Cost: O(lookback + price_bins) on a computed bar (the price range moves, so the bins are rebuilt
 * from the window's Float64Array ring buffers); O(1) on other bars. No allocation per bar.
 */
export type VolumeProfileParams = {
  lookback: number;
  lookback_hours: number;
  price_bins: number;
  value_area_pct: number;
  update_frequency: number;
  min_volume_threshold: number;
  hvn_threshold: number;
  lvn_threshold: number;
  atr_period: number;
  atr_multiplier: number;
  enable_vectorization: boolean;
};

const SPECS: ParamSpecs = {
  lookback: { kind: 'int', default: 480, min: 1 },
  lookback_hours: { kind: 'ignored', default: 120 },
  price_bins: { kind: 'int', default: 50, min: 1 },
  value_area_pct: { kind: 'number', default: 70, min: 0, max: 100 },
  update_frequency: { kind: 'int', default: 1, min: 1 },
  min_volume_threshold: { kind: 'number', default: 0.01, min: 0, max: 100 },
  hvn_threshold: { kind: 'number', default: 1.5, min: 0 },
  lvn_threshold: { kind: 'number', default: 0.5, min: 0 },
  atr_period: { kind: 'int', default: 14, min: 1 },
  atr_multiplier: { kind: 'number', default: 2.0, min: 0 },
  enable_vectorization: { kind: 'bool', default: true },
};

const OUTPUTS = [
  'poc_price',
  'vah_price',
  'val_price',
  'total_volume',
  'poc_volume',
  'value_area_volume',
  'average_volume',
  'poc_strength',
  'value_area_width',
  'profile_balance',
  'poc_breakout',
  'volume_spike',
  'is_hvn',
  'is_lvn',
  'nearest_hvn_price',
  'nearest_lvn_price',
  'price_above_poc',
  'price_below_poc',
  'price_in_value_area',
  'dist_to_poc',
  'dist_to_vah',
  'dist_to_val',
] as const;

const LEVELS = 10; // poc_price … profile_balance
const POC = 0;
const VAH = 1;
const VAL = 2;

export class VolumeProfile implements Indicator {
  readonly outputNames: readonly string[] = OUTPUTS;
  readonly values: IndicatorValue[];
  readonly warmupBars: number;
  private readonly atr: WilderAtr;
  private readonly highs: Float64Array;
  private readonly lows: Float64Array;
  private readonly vols: Float64Array;
  private readonly edges: Float64Array;
  private readonly centers: Float64Array;
  private readonly bins: Float64Array;
  private readonly filtered: Float64Array;
  /** Unshifted levels of the current and previous bar. */
  private cur = new Float64Array(LEVELS);
  private prev = new Float64Array(LEVELS);
  private pos = 0;
  private count = 0;
  private lastComputed = Number.NEGATIVE_INFINITY;
  // Unshifted events of the previous bar (null before the first bar).
  private pBreakout: boolean | null = null;
  private pSpike: boolean | null = null;
  private pHvn: boolean | null = null;
  private pLvn: boolean | null = null;
  private pNearestHvn = NaN;
  private pNearestLvn = NaN;
  // Forward-filled shifted node prices.
  private ffHvn = NaN;
  private ffLvn = NaN;

  constructor(readonly params: VolumeProfileParams) {
    const { lookback, price_bins: b } = params;
    this.warmupBars = lookback + 1;
    this.atr = new WilderAtr(params.atr_period);
    this.highs = new Float64Array(lookback);
    this.lows = new Float64Array(lookback);
    this.vols = new Float64Array(lookback);
    this.edges = new Float64Array(b + 1);
    this.centers = new Float64Array(b);
    this.bins = new Float64Array(b);
    this.filtered = new Float64Array(b);
    this.cur.fill(NaN);
    this.prev.fill(NaN);
    this.values = OUTPUTS.map((_, k) => (k < LEVELS ? NaN : k < 14 ? null : k < 16 ? NaN : k < 19 ? false : NaN));
  }

  /** Bin index of a price: (number of edges ≤ price) − 1, or (number of edges < price) − 1 for a low. */
  private binOf(price: number, strictBelow: boolean): number {
    const e = this.edges;
    const b = this.params.price_bins;
    const span = (e[b] as number) - (e[0] as number);
    // Start from the arithmetic estimate, then settle against the actual edges.
    let k = Math.floor(((price - (e[0] as number)) / span) * b);
    if (k < 0) k = 0;
    if (k > b) k = b;
    if (strictBelow) {
      while (k > 0 && (e[k - 1] as number) >= price) k--;
      while (k <= b && (e[k] as number) < price) k++;
    } else {
      while (k > 0 && (e[k - 1] as number) > price) k--;
      while (k <= b && (e[k] as number) <= price) k++;
    }
    // k = number of edges (strictly) below/at the price.
    let bin = k - 1;
    if (bin < 0) bin = 0;
    if (bin > b - 1) bin = b - 1;
    return bin;
  }

  /** Computes the profile of the current window into `cur`; returns the event values via fields. */
  private compute(closeNow: number, volumeNow: number): boolean {
    const p = this.params;
    const b = p.price_bins;
    const n = Math.min(this.count, p.lookback);
    const highs = this.highs;
    const lows = this.lows;
    const vols = this.vols;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < n; k++) {
      const v = vols[k] as number;
      if (!(v > 0)) continue; // large-N path: only candles with volume > 0 define the range
      const lo = lows[k] as number;
      const hi = highs[k] as number;
      if (lo < min) min = lo;
      if (hi > max) max = hi;
    }
    if (!(min < max)) return false;
    const e = this.edges;
    const step = (max - min) / b;
    for (let k = 0; k < b; k++) e[k] = k * step + min;
    e[b] = max;
    const centers = this.centers;
    for (let k = 0; k < b; k++) centers[k] = ((e[k] as number) + (e[k + 1] as number)) / 2;
    const bins = this.bins;
    bins.fill(0);
    // Spread volumes in time order (oldest first), as the original iterates the window.
    const start = this.count > p.lookback ? this.pos : 0;
    for (let m = 0; m < n; m++) {
      let k = start + m;
      if (k >= p.lookback) k -= p.lookback;
      const v = vols[k] as number;
      if (!(v > 0)) continue;
      let lo = this.binOf(lows[k] as number, true);
      let hi = this.binOf(highs[k] as number, false);
      if (lo > hi) {
        const t = lo;
        lo = hi;
        hi = t;
      }
      const share = v / (hi - lo + 1);
      for (let q = lo; q <= hi; q++) bins[q] = (bins[q] as number) + share;
    }
    let total = 0;
    for (let k = 0; k < b; k++) total += bins[k] as number;
    if (total === 0) return false;
    const filtered = this.filtered;
    const cut = total * (p.min_volume_threshold / 100);
    let fsum = 0;
    let poc = 0;
    for (let k = 0; k < b; k++) {
      const x = bins[k] as number;
      const f = x < cut ? 0 : x;
      filtered[k] = f;
      fsum += f;
      if (f > (filtered[poc] as number)) poc = k;
    }
    const pocVolume = filtered[poc] as number;
    // Value area, expanding from the POC towards the larger neighbour (ties → lower side).
    const target = (p.value_area_pct / 100) * fsum;
    let vah = NaN;
    let val = NaN;
    let vaVolume = NaN;
    let width = 0;
    if (fsum !== 0 && target !== 0) {
      let lo = poc;
      let hi = poc;
      let acc = pocVolume;
      while (acc < target && (lo > 0 || hi < b - 1)) {
        if (lo > 0 && hi < b - 1) {
          const below = filtered[lo - 1] as number;
          const above = filtered[hi + 1] as number;
          if (below >= above) acc += filtered[--lo] as number;
          else acc += filtered[++hi] as number;
        } else if (lo > 0) {
          acc += filtered[--lo] as number;
        } else {
          acc += filtered[++hi] as number;
        }
      }
      val = centers[lo] as number;
      vah = centers[hi] as number;
      vaVolume = acc;
      width = vah - val;
    }
    let balance = 0.5;
    if (b >= 3) {
      let left = 0;
      let right = 0;
      for (let k = 0; k < poc; k++) left += filtered[k] as number;
      for (let k = poc + 1; k < b; k++) right += filtered[k] as number;
      balance = left === 0 && right === 0 ? 1.0 : left === 0 || right === 0 ? 0.0 : Math.min(left, right) / Math.max(left, right);
    }
    const cur = this.cur;
    cur[POC] = centers[poc] as number;
    cur[VAH] = vah;
    cur[VAL] = val;
    cur[3] = total;
    cur[4] = pocVolume;
    cur[5] = vaVolume;
    cur[6] = total / n;
    cur[7] = pocVolume / total;
    cur[8] = width;
    cur[9] = balance;

    // Nodes relative to the current close.
    const mean = fsum / b;
    const c = this.binOf(closeNow, false);
    const fc = filtered[c] as number;
    this.eHvn = fc > p.hvn_threshold * mean;
    this.eLvn = fc < p.lvn_threshold * mean;
    let nearestHvn = NaN;
    let nearestLvn = NaN;
    let dH = Number.POSITIVE_INFINITY;
    let dL = Number.POSITIVE_INFINITY;
    for (let k = 0; k < b; k++) {
      const f = filtered[k] as number;
      const d = Math.abs(closeNow - (centers[k] as number));
      if (f > p.hvn_threshold * mean) {
        if (d < dH) {
          dH = d;
          nearestHvn = centers[k] as number;
        }
      }
      if (f > 0 && f < p.lvn_threshold * mean) {
        if (d < dL) {
          dL = d;
          nearestLvn = centers[k] as number;
        }
      }
    }
    this.eNearestHvn = nearestHvn;
    this.eNearestLvn = nearestLvn;
    this.eSpike = volumeNow > 1.5 * (total / n);
    return true;
  }

  private eHvn = false;
  private eLvn = false;
  private eSpike = false;
  private eNearestHvn = NaN;
  private eNearestLvn = NaN;

  update(candle: Candle): void {
    const p = this.params;
    const { high, low, close, volume } = candle;
    const atr = this.atr.push(high, low, close);
    this.highs[this.pos] = high;
    this.lows[this.pos] = low;
    this.vols[this.pos] = volume;
    this.pos = this.pos + 1 === p.lookback ? 0 : this.pos + 1;
    const i = this.count++;

    // Swap buffers: `prev` holds the previous bar's unshifted levels, `cur` receives this bar's.
    const t = this.prev;
    this.prev = this.cur;
    this.cur = t;
    const cur = this.cur;
    const prev = this.prev;

    let breakout = false;
    let spike = false;
    let hvn = false;
    let lvn = false;
    let nearestHvn = NaN;
    let nearestLvn = NaN;
    if (i >= p.lookback - 1 && i - this.lastComputed >= p.update_frequency) {
      if (this.compute(close, volume)) {
        this.lastComputed = i;
        const shift = Math.abs((cur[POC] as number) - (prev[POC] as number));
        breakout = shift > atr * p.atr_multiplier;
        spike = this.eSpike;
        hvn = this.eHvn;
        lvn = this.eLvn;
        nearestHvn = this.eNearestHvn;
        nearestLvn = this.eNearestLvn;
      } else {
        cur.fill(NaN);
      }
    } else if (i >= p.lookback - 1) {
      cur.set(prev); // not a recompute bar: carry the levels, events stay False/NaN
    } else {
      cur.fill(NaN);
    }

    // Shifted outputs: levels and events of the previous bar.
    const v = this.values;
    for (let k = 0; k < LEVELS; k++) v[k] = prev[k] as number;
    v[10] = this.pBreakout;
    v[11] = this.pSpike;
    v[12] = this.pHvn;
    v[13] = this.pLvn;
    if (this.pNearestHvn === this.pNearestHvn) this.ffHvn = this.pNearestHvn;
    if (this.pNearestLvn === this.pNearestLvn) this.ffLvn = this.pNearestLvn;
    v[14] = this.ffHvn;
    v[15] = this.ffLvn;
    const poc = prev[POC] as number;
    const vah = prev[VAH] as number;
    const val = prev[VAL] as number;
    v[16] = close > poc;
    v[17] = close < poc;
    v[18] = val <= close && close <= vah;
    v[19] = close - poc;
    v[20] = close - vah;
    v[21] = close - val;

    this.pBreakout = breakout;
    this.pSpike = spike;
    this.pHvn = hvn;
    this.pLvn = lvn;
    this.pNearestHvn = nearestHvn;
    this.pNearestLvn = nearestLvn;
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }
}

export const volumeProfileDefinition: IndicatorDefinition<VolumeProfileParams> = {
  type: 'VolumeProfile',
  outputKind: kindsByName({ poc_price: 'price', vah_price: 'price', val_price: 'price', nearest_hvn_price: 'price', nearest_lvn_price: 'price', poc_strength: 'bounded', profile_balance: 'bounded', poc_breakout: 'boolean', volume_spike: 'boolean', is_hvn: 'boolean', is_lvn: 'boolean', price_above_poc: 'boolean', price_below_poc: 'boolean', price_in_value_area: 'boolean' }, 'unbounded'),
  original: { params: Object.keys(SPECS) },
  parseParams: (raw) => parseWithSpecs<VolumeProfileParams>('VolumeProfile', SPECS, raw),
  create: (params) => new VolumeProfile(params),
};
