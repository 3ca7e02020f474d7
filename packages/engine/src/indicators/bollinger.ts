import type { Candle } from '../model/candle.js';
import { RollingSma, Window } from './common.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from './indicator.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';

/**
 * Bollinger Bands, TA-Lib semantics (BBANDS with an SMA middle band and the population standard
 * deviation of the closes in the window), TA-Lib defaults (5, 2, 2). The deviation is computed with a
 * two-pass sum over the window ring buffer (O(length) per update) rather than TA-Lib's running sum of
 * squares, which loses digits to cancellation at BTC price levels; TA-Lib also clamps variances below
 * 1e-8 to zero, which is not reproduced.
 */
export type BollingerParams = { length: number; std_dev_up: number; std_dev_down: number };

const SPECS: ParamSpecs = {
  length: { kind: 'int', default: 5, min: 2 },
  std_dev_up: { kind: 'number', default: 2, min: 0 },
  std_dev_down: { kind: 'number', default: 2, min: 0 },
};

export class BollingerBands implements Indicator {
  readonly outputNames: readonly string[] = ['BB_upper', 'BB_middle', 'BB_lower'];
  readonly values: IndicatorValue[] = [Number.NaN, Number.NaN, Number.NaN];
  readonly warmupBars: number;
  private readonly sma: RollingSma;
  private readonly window: Window;
  private count = 0;

  constructor(readonly params: BollingerParams) {
    this.warmupBars = params.length;
    this.sma = new RollingSma(params.length);
    this.window = new Window(params.length);
  }

  update(candle: Candle): void {
    this.count++;
    const c = candle.close;
    const mid = this.sma.push(c);
    this.window.push(c);
    const values = this.values;
    if (mid !== mid) {
      values[0] = values[1] = values[2] = Number.NaN;
      return;
    }
    const n = this.params.length;
    const ring = this.window.ring;
    const mean = this.window.mean();
    let ss = 0;
    for (let k = 0; k < n; k++) {
      const d = (ring[k] as number) - mean;
      ss += d * d;
    }
    const sd = Math.sqrt(ss / n);
    values[0] = mid + this.params.std_dev_up * sd;
    values[1] = mid;
    values[2] = mid - this.params.std_dev_down * sd;
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }
}

export const bollingerDefinition: IndicatorDefinition<BollingerParams> = {
  type: 'BollingerBands',
  outputKind: () => 'price',
  parseParams: (raw) => parseWithSpecs<BollingerParams>('BollingerBands', SPECS, raw),
  create: (params) => new BollingerBands(params),
};
