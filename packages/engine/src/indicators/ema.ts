import type { Candle } from '../model/candle.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from './indicator.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';

/** EMA as in the original (compat §2.1): recursive, seeded with the first close, not bias-adjusted. */
export type EmaParams = { length: number };

const SPECS: ParamSpecs = { length: { kind: 'int', default: 200, min: 1 } };

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
  private ema = Number.NaN;
  private count = 0;

  constructor(readonly params: EmaParams) {
    const { length } = params;
    this.outputNames = [`EMA_${length}`, `EMA_${length}_trend`];
    this.values = [Number.NaN, null];
    this.warmupBars = length;
    // pandas: com = (span-1)/2, alpha = 1/(1+com); identical in float64 to 2/(span+1).
    this.alpha = 1 / (1 + (length - 1) / 2);
    this.oldWeight = 1 - this.alpha;
  }

  update(candle: Candle): void {
    const c = candle.close;
    this.ema = this.count === 0 ? c : pandasEwmStep(this.ema, c, this.alpha, this.oldWeight);
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
}

export const emaDefinition: IndicatorDefinition<EmaParams> = {
  type: 'EMA',
  original: { params: Object.keys(SPECS) },
  parseParams: (raw) => parseWithSpecs<EmaParams>('EMA', SPECS, raw),
  create: (params) => new Ema(params),
};
