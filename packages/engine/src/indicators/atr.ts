import type { Candle } from '../model/candle.js';
import { WilderAtr } from './common.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from './indicator.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';

/**
 * Average true range, TA-Lib semantics (= the original's ATR-A helper): first value at index `length`,
 * the mean of TR_1…TR_length, then Wilder smoothing. Not shifted.
 */
export type AtrParams = { length: number };

const SPECS: ParamSpecs = { length: { kind: 'int', default: 14, min: 1 } };

export class Atr implements Indicator {
  readonly outputNames: readonly string[];
  readonly values: IndicatorValue[] = [Number.NaN];
  readonly warmupBars: number;
  private readonly atr: WilderAtr;
  private count = 0;

  constructor(readonly params: AtrParams) {
    this.outputNames = [`ATR_${params.length}`];
    this.warmupBars = params.length + 1;
    this.atr = new WilderAtr(params.length);
  }

  update(candle: Candle): void {
    this.count++;
    this.values[0] = this.atr.push(candle.high, candle.low, candle.close);
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }
}

export const atrDefinition: IndicatorDefinition<AtrParams> = {
  type: 'ATR',
  outputKind: () => 'unbounded',
  parseParams: (raw) => parseWithSpecs<AtrParams>('ATR', SPECS, raw),
  create: (params) => new Atr(params),
};
