import type { Candle } from '../model/candle.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from './indicator.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';

/**
 * On-balance volume, TA-Lib semantics: starts at the first bar's volume, then adds the volume when the
 * close rises and subtracts it when it falls. Depends on the first bar, like TA-Lib's.
 */
export type ObvParams = Record<string, never>;

const SPECS: ParamSpecs = {};

export class Obv implements Indicator {
  readonly outputNames: readonly string[] = ['OBV'];
  readonly values: IndicatorValue[] = [Number.NaN];
  readonly warmupBars = 1;
  private count = 0;
  private obv = 0;
  private prevClose = Number.NaN;

  update(candle: Candle): void {
    const c = candle.close;
    if (this.count++ === 0) {
      this.obv = candle.volume;
    } else if (c > this.prevClose) {
      this.obv += candle.volume;
    } else if (c < this.prevClose) {
      this.obv -= candle.volume;
    }
    this.prevClose = c;
    this.values[0] = this.obv;
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }
}

export const obvDefinition: IndicatorDefinition<ObvParams> = {
  type: 'OBV',
  outputKind: () => 'unbounded',
  parseParams: (raw) => parseWithSpecs<ObvParams>('OBV', SPECS, raw),
  create: () => new Obv(),
};
