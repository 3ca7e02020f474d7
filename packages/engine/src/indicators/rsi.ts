import type { Candle } from '../model/candle.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from './indicator.js';
import { kindsByName } from './output-kind.js';
import { pandasEwmStep } from './ema.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';

/**
 * RSI as in the original (compat §2.2): the `ta` library variant of Wilder's RSI. The first change is
 * taken as 0 and the averages are pandas `ewm(alpha=1/length, adjust=False)` seeded with that zero, so
 * the first value appears at index length−1 (TA-Lib seeds with an SMA and starts at index length; the
 * two converge). Thresholds 70/30 are fixed, as in the original.
 */
export type RsiParams = { length: number };

const SPECS: ParamSpecs = { length: { kind: 'int', default: 14, min: 1 } };

export class Rsi implements Indicator {
  readonly outputNames: readonly string[];
  readonly values: IndicatorValue[];
  readonly warmupBars: number;
  private readonly alpha: number;
  private readonly oldWeight: number;
  private avgUp = 0;
  private avgDown = 0;
  private prevClose = Number.NaN;
  private count = 0;

  constructor(readonly params: RsiParams) {
    const { length } = params;
    this.outputNames = [`RSI_${length}`, `RSI_${length}_overbought`, `RSI_${length}_oversold`];
    this.values = [Number.NaN, false, false];
    this.warmupBars = length;
    this.alpha = 1 / length;
    this.oldWeight = 1 - this.alpha;
  }

  update(candle: Candle): void {
    const c = candle.close;
    if (this.count === 0) {
      this.avgUp = 0;
      this.avgDown = 0;
    } else {
      const d = c - this.prevClose;
      const up = d > 0 ? d : 0;
      const down = d < 0 ? -d : 0;
      this.avgUp = pandasEwmStep(this.avgUp, up, this.alpha, this.oldWeight);
      this.avgDown = pandasEwmStep(this.avgDown, down, this.alpha, this.oldWeight);
    }
    this.prevClose = c;
    this.count++;
    const values = this.values;
    if (this.count < this.warmupBars) {
      values[0] = Number.NaN;
      values[1] = false;
      values[2] = false;
      return;
    }
    const rsi = this.avgDown === 0 ? 100 : 100 - 100 / (1 + this.avgUp / this.avgDown);
    values[0] = rsi;
    values[1] = rsi > 70;
    values[2] = rsi < 30;
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }
}

export const rsiDefinition: IndicatorDefinition<RsiParams> = {
  type: 'RSI',
  outputKind: kindsByName({ _overbought: 'boolean', _oversold: 'boolean' }, 'bounded'),
  original: { params: Object.keys(SPECS) },
  parseParams: (raw) => parseWithSpecs<RsiParams>('RSI', SPECS, raw),
  create: (params) => new Rsi(params),
};
