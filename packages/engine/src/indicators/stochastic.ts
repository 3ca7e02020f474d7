import type { Candle } from '../model/candle.js';
import { RollingSma, Window } from './common.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from './indicator.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';

/**
 * Slow stochastic, TA-Lib semantics (STOCH with SMA smoothing for both %K and %D), TA-Lib defaults
 * (5, 3, 3). Fast %K = (C − lowest low)/((highest high − lowest low)/100), 0 when the range is 0.
 * Highest/lowest are O(fastk_period) scans of a ring buffer.
 */
export type StochasticParams = { fastk_period: number; slowk_period: number; slowd_period: number };

const SPECS: ParamSpecs = {
  fastk_period: { kind: 'int', default: 5, min: 1 },
  slowk_period: { kind: 'int', default: 3, min: 1 },
  slowd_period: { kind: 'int', default: 3, min: 1 },
};

export class Stochastic implements Indicator {
  readonly outputNames: readonly string[] = ['STOCH_k', 'STOCH_d'];
  readonly values: IndicatorValue[] = [Number.NaN, Number.NaN];
  readonly warmupBars: number;
  private readonly highs: Window;
  private readonly lows: Window;
  private readonly slowK: RollingSma;
  private readonly slowD: RollingSma;
  private count = 0;

  constructor(readonly params: StochasticParams) {
    this.highs = new Window(params.fastk_period);
    this.lows = new Window(params.fastk_period);
    this.slowK = new RollingSma(params.slowk_period);
    this.slowD = new RollingSma(params.slowd_period);
    this.warmupBars = params.fastk_period + params.slowk_period + params.slowd_period - 2;
  }

  update(candle: Candle): void {
    this.count++;
    this.highs.push(candle.high);
    this.lows.push(candle.low);
    const values = this.values;
    if (!this.highs.full) {
      values[0] = values[1] = Number.NaN;
      return;
    }
    const hh = this.highs.max();
    const ll = this.lows.min();
    const diff = (hh - ll) / 100;
    const fastK = diff !== 0 ? (candle.close - ll) / diff : 0;
    const k = this.slowK.push(fastK);
    if (k !== k) {
      values[0] = values[1] = Number.NaN;
      return;
    }
    const d = this.slowD.push(k);
    values[0] = d === d ? k : Number.NaN;
    values[1] = d;
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }
}

export const stochasticDefinition: IndicatorDefinition<StochasticParams> = {
  type: 'Stochastic',
  outputKind: () => 'bounded',
  parseParams: (raw) => parseWithSpecs<StochasticParams>('Stochastic', SPECS, raw),
  create: (params) => new Stochastic(params),
};
