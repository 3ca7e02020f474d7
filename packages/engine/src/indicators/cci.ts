import type { Candle } from '../model/candle.js';
import { Window } from './common.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from './indicator.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';

/**
 * Commodity Channel Index, TA-Lib semantics (default 14): typical price (H+L+C)/3, its window mean and
 * mean absolute deviation; CCI = (TP − mean)/(0.015·meanDev), 0 when either factor is 0. The mean
 * deviation needs a pass over the window (O(length) per update), as in TA-Lib.
 */
export type CciParams = { length: number };

const SPECS: ParamSpecs = { length: { kind: 'int', default: 14, min: 2 } };

export class Cci implements Indicator {
  readonly outputNames: readonly string[];
  readonly values: IndicatorValue[] = [Number.NaN];
  readonly warmupBars: number;
  private readonly window: Window;
  private count = 0;

  constructor(readonly params: CciParams) {
    this.outputNames = [`CCI_${params.length}`];
    this.warmupBars = params.length;
    this.window = new Window(params.length);
  }

  update(candle: Candle): void {
    this.count++;
    const tp = (candle.high + candle.low + candle.close) / 3;
    this.window.push(tp);
    if (!this.window.full) {
      this.values[0] = Number.NaN;
      return;
    }
    const n = this.params.length;
    const ring = this.window.ring;
    const mean = this.window.mean();
    let dev = 0;
    for (let k = 0; k < n; k++) dev += Math.abs((ring[k] as number) - mean);
    const num = tp - mean;
    this.values[0] = num !== 0 && dev !== 0 ? num / (0.015 * (dev / n)) : 0;
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }
}

export const cciDefinition: IndicatorDefinition<CciParams> = {
  type: 'CCI',
  outputKind: () => 'unbounded',
  parseParams: (raw) => parseWithSpecs<CciParams>('CCI', SPECS, raw),
  create: (params) => new Cci(params),
};
