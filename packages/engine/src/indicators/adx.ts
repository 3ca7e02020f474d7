import type { Candle } from '../model/candle.js';
import { trueRange } from './common.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from './indicator.js';
import { kindsByName } from './output-kind.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';

/**
 * ADX as the original's custom implementation computes it (compat §2.3), not TA-Lib's: the smoothers
 * are seeded with the mean of the first `period` values *including bar 0* (TR_0 = H_0 − L_0, DM_0 = 0),
 * and ADX, +DI, −DI are shifted one bar (the value at bar i uses data up to bar i−1). The derived
 * columns are computed from the shifted values. Past warm-up it converges to TA-Lib's ADX one bar later.
 */
export type AdxParams = {
  period: number;
  trend_threshold: number;
  range_threshold: number;
  smoothing_method: 'wilder' | 'ema';
};

const SPECS: ParamSpecs = {
  period: { kind: 'int', default: 14, min: 1 },
  trend_threshold: { kind: 'number', default: 25.0 },
  range_threshold: { kind: 'number', default: 20.0 },
  smoothing_method: { kind: 'enum', default: 'wilder', values: ['wilder', 'ema'] },
};

const SEEDING = 0;
const RUNNING = 1;
const DEAD = 2;

/**
 * The original's smoother S(x) (compat §2.3 step 3) for one input stream: the seed is the mean of the
 * first n values from the first non-NaN one; a NaN inside the seed window makes the whole series NaN;
 * after the seed a NaN input carries the previous value forward.
 */
class OriginalSmoother {
  private state = SEEDING;
  private seen = 0;
  private sum = 0;
  value = Number.NaN;
  private readonly a: number;
  private readonly oneMinusA: number;

  constructor(
    private readonly n: number,
    private readonly ema: boolean,
  ) {
    this.a = 2 / (n + 1);
    this.oneMinusA = 1 - this.a;
  }

  push(x: number): number {
    const n = this.n;
    if (this.state === RUNNING) {
      if (x === x) {
        this.value = this.ema
          ? this.a * x + this.oneMinusA * this.value
          : (this.value * (n - 1) + x) / n;
      }
    } else if (this.state === SEEDING) {
      if (x !== x) {
        if (this.seen > 0) this.state = DEAD; // NaN inside the seed window
      } else {
        this.sum += x;
        if (++this.seen === n) {
          this.value = this.sum / n;
          this.state = RUNNING;
        }
      }
    }
    return this.value;
  }
}

export class Adx implements Indicator {
  readonly outputNames: readonly string[] = [
    'ADX_value',
    'DI_plus',
    'DI_minus',
    'ADX_trend',
    'ADX_range',
    'ADX_strength',
    'DI_bullish',
    'DI_bearish',
  ];
  readonly values: IndicatorValue[] = [Number.NaN, Number.NaN, Number.NaN, false, false, 'unknown', false, false];
  readonly warmupBars: number;
  private readonly atr: OriginalSmoother;
  private readonly plusDm: OriginalSmoother;
  private readonly minusDm: OriginalSmoother;
  private readonly adx: OriginalSmoother;
  private count = 0;
  private prevHigh = Number.NaN;
  private prevLow = Number.NaN;
  private prevClose = Number.NaN;
  // Unshifted values of the previous bar, reported on the next update.
  private lastAdx = Number.NaN;
  private lastPlusDi = Number.NaN;
  private lastMinusDi = Number.NaN;

  constructor(readonly params: AdxParams) {
    const n = params.period;
    const ema = params.smoothing_method === 'ema';
    this.atr = new OriginalSmoother(n, ema);
    this.plusDm = new OriginalSmoother(n, ema);
    this.minusDm = new OriginalSmoother(n, ema);
    this.adx = new OriginalSmoother(n, ema);
    this.warmupBars = 2 * n; // ADX_value first defined at index 2n−1
  }

  update(candle: Candle): void {
    const { high, low, close } = candle;
    const first = this.count === 0;
    let pdm = 0;
    let mdm = 0;
    if (!first) {
      const up = high - this.prevHigh;
      const down = this.prevLow - low;
      if (up > down && up > 0) pdm = up;
      if (down > up && down > 0) mdm = down;
    }
    const tr = trueRange(high, low, this.prevClose, first);
    this.prevHigh = high;
    this.prevLow = low;
    this.prevClose = close;
    this.count++;

    const atr = this.atr.push(tr);
    const p = this.plusDm.push(pdm);
    const m = this.minusDm.push(mdm);
    let plusDi = Number.NaN;
    let minusDi = Number.NaN;
    if (atr > 0) {
      plusDi = (100 * p) / atr;
      minusDi = (100 * m) / atr;
    }
    const diSum = plusDi + minusDi;
    const dx = diSum > 0 ? (100 * Math.abs(plusDi - minusDi)) / diSum : Number.NaN;
    const adx = this.adx.push(dx);

    // Report the previous bar's values (shift 1), then remember this bar's.
    const a = this.lastAdx;
    const dp = this.lastPlusDi;
    const dm = this.lastMinusDi;
    this.lastAdx = adx;
    this.lastPlusDi = plusDi;
    this.lastMinusDi = minusDi;

    const values = this.values;
    values[0] = a;
    values[1] = dp;
    values[2] = dm;
    values[3] = a > this.params.trend_threshold;
    values[4] = a < this.params.range_threshold;
    values[5] = a !== a ? 'unknown' : a < 20 ? 'weak' : a < 25 ? 'moderate' : a < 40 ? 'strong' : 'very_strong';
    values[6] = dp > dm;
    values[7] = dm > dp;
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }
}

export const adxDefinition: IndicatorDefinition<AdxParams> = {
  type: 'ADX',
  outputKind: kindsByName({ ADX_trend: 'boolean', ADX_range: 'boolean', ADX_strength: 'label', DI_bullish: 'boolean', DI_bearish: 'boolean' }, 'bounded'),
  original: { params: Object.keys(SPECS) },
  parseParams(raw) {
    const r = parseWithSpecs<AdxParams>('ADX', SPECS, raw);
    if (r.ok && r.params.trend_threshold <= r.params.range_threshold) {
      return {
        ok: false,
        errors: [
          `ADX.trend_threshold (${r.params.trend_threshold}) must be greater than ADX.range_threshold (${r.params.range_threshold})`,
        ],
      };
    }
    return r;
  },
  create: (params) => new Adx(params),
};
