import type { Candle } from '../model/candle.js';
import { Window } from './common.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from './indicator.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';

/**
 * Williams %R, TA-Lib semantics (WILLR, default 14): (HH − C)/((HH − LL)/−100), 0 when HH = LL.
 * Range −100…0. Highest/lowest are O(length) scans of ring buffers.
 */
export type WilliamsRParams = { length: number };

const SPECS: ParamSpecs = { length: { kind: 'int', default: 14, min: 1 } };

export class WilliamsR implements Indicator {
  readonly outputNames: readonly string[];
  readonly values: IndicatorValue[] = [Number.NaN];
  readonly warmupBars: number;
  private readonly highs: Window;
  private readonly lows: Window;
  private count = 0;

  constructor(readonly params: WilliamsRParams) {
    this.outputNames = [`WILLR_${params.length}`];
    this.warmupBars = params.length;
    this.highs = new Window(params.length);
    this.lows = new Window(params.length);
  }

  update(candle: Candle): void {
    this.count++;
    this.highs.push(candle.high);
    this.lows.push(candle.low);
    if (!this.highs.full) {
      this.values[0] = Number.NaN;
      return;
    }
    const hh = this.highs.max();
    const diff = (hh - this.lows.min()) / -100;
    this.values[0] = diff !== 0 ? (hh - candle.close) / diff : 0;
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }
}

export const williamsRDefinition: IndicatorDefinition<WilliamsRParams> = {
  type: 'WilliamsR',
  outputKind: () => 'bounded',
  parseParams: (raw) => parseWithSpecs<WilliamsRParams>('WilliamsR', SPECS, raw),
  create: (params) => new WilliamsR(params),
};
