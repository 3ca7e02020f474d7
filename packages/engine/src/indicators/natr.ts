import type { Candle } from '../model/candle.js';
import { WilderAtr } from './common.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from './indicator.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';

/**
 * Normalised average true range, TA-Lib semantics (NATR): ATR(length) / close × 100, the ATR seeded
 * as TA-Lib's (first value at index `length`, the mean of TR_1…TR_length, then Wilder), and 0 when
 * the close is within TA-Lib's zero tolerance (±1e-8). Not in the original. `length` starts at 2:
 * TA-Lib's NATR(1) returns the true range without normalising it. Not shifted.
 */
export type NatrParams = { length: number };

const SPECS: ParamSpecs = { length: { kind: 'int', default: 14, min: 2 } };

/** TA-Lib's TA_IS_ZERO */
const isZero = (v: number): boolean => v > -0.00000001 && v < 0.00000001;

export class Natr implements Indicator {
  readonly outputNames: readonly string[];
  readonly values: IndicatorValue[] = [Number.NaN];
  readonly warmupBars: number;
  private readonly atr: WilderAtr;
  private count = 0;

  constructor(readonly params: NatrParams) {
    this.outputNames = [`NATR_${params.length}`];
    this.warmupBars = params.length + 1;
    this.atr = new WilderAtr(params.length);
  }

  update(candle: Candle): void {
    this.count++;
    const atr = this.atr.push(candle.high, candle.low, candle.close);
    // TA-Lib's order of operations: (ATR / close) × 100
    this.values[0] = atr !== atr ? Number.NaN : isZero(candle.close) ? 0 : (atr / candle.close) * 100;
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }
}

export const natrDefinition: IndicatorDefinition<NatrParams> = {
  type: 'NATR',
  outputKind: () => 'unbounded',
  parseParams: (raw) => parseWithSpecs<NatrParams>('NATR', SPECS, raw),
  create: (params) => new Natr(params),
};
