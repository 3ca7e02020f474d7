import type { Candle } from '../model/candle.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from './indicator.js';
import { kindsByName } from './output-kind.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';

/**
 * EMA, recursive and not bias-adjusted, α = 2/(length+1). `seed` says where the recursion starts:
 * - `first` (default, the original's, compat §2.1): E₀ = C₀, pandas `ewm(adjust=False)`; values
 *   before index length−1 are reported as NaN although computed, so the first value is not an SMA;
 * - `sma` (TA-Lib's EMA): the first value, at index length−1, is the mean of the first `length`
 *   closes, then Eᵢ = (Cᵢ − Eᵢ₋₁)·α + Eᵢ₋₁ in TA-Lib's order of operations.
 * Both reach the same values once the seed has decayed; with a long length on a short series
 * they differ visibly (a 200-period EMA on a few hundred 1h bars).
 */
export type EmaSeed = 'first' | 'sma';
/** `seed` absent: `first` */
export type EmaParams = { length: number; seed?: EmaSeed };

const SEEDS: readonly EmaSeed[] = ['first', 'sma'];
const SPECS: ParamSpecs = { length: { kind: 'int', default: 200, min: 1 }, seed: { kind: 'enum', default: 'first', values: SEEDS } };

/**
 * pandas `ewm(adjust=False).mean()` step, reproduced operation for operation so the values equal the
 * original's (pandas divides by the weight sum `(1-α)+α`, which is not always exactly 1 in float64, and
 * skips the update when the input equals the current average).
 */
export function pandasEwmStep(prev: number, x: number, alpha: number, oldWeight: number): number {
  if (prev === x) return prev;
  return (oldWeight * prev + alpha * x) / (oldWeight + alpha);
}

export class Ema implements Indicator {
  readonly outputNames: readonly string[];
  readonly values: IndicatorValue[];
  readonly warmupBars: number;
  private readonly alpha: number;
  private readonly oldWeight: number;
  /** TA-Lib's k = 2/(length+1) for `seed: sma` */
  private readonly k: number;
  private readonly smaSeed: boolean;
  private ema = Number.NaN;
  private count = 0;
  /** sum of the first `length` closes (`seed: sma`) */
  private seedSum = 0;

  constructor(readonly params: EmaParams) {
    const { length } = params;
    this.outputNames = [`EMA_${length}`, `EMA_${length}_trend`];
    this.values = [Number.NaN, null];
    this.warmupBars = length;
    // pandas: com = (span-1)/2, alpha = 1/(1+com); identical in float64 to 2/(span+1).
    this.alpha = 1 / (1 + (length - 1) / 2);
    this.oldWeight = 1 - this.alpha;
    this.k = 2 / (length + 1);
    this.smaSeed = params.seed === 'sma';
  }

  update(candle: Candle): void {
    const c = candle.close;
    if (this.smaSeed) this.smaSeeded(c);
    else this.ema = this.count === 0 ? c : pandasEwmStep(this.ema, c, this.alpha, this.oldWeight);
    this.count++;
    const values = this.values;
    if (this.count < this.warmupBars) {
      values[0] = Number.NaN;
      values[1] = null;
      return;
    }
    const e = this.ema;
    values[0] = e;
    values[1] = c > e ? 'bull' : c < e ? 'bear' : c === e ? 'neutral' : null;
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }

  /** TA-Lib's INT_EMA: a running sum until the SMA seed, then ((x − prev) × k) + prev. */
  private smaSeeded(c: number): void {
    const n = this.params.length;
    if (this.count < n) {
      this.seedSum += c;
      if (this.count === n - 1) this.ema = this.seedSum / n;
      return;
    }
    this.ema = (c - this.ema) * this.k + this.ema;
  }
}

export const emaDefinition: IndicatorDefinition<EmaParams> = {
  type: 'EMA',
  outputKind: kindsByName({ _trend: 'label' }, 'price'),
  // `seed` is this project's; the original's EMA took `length` only
  original: { params: ['length'] },
  parseParams: (raw) => parseWithSpecs<EmaParams>('EMA', SPECS, raw),
  create: (params) => new Ema(params),
};
