import type { Candle } from '../model/candle.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from './indicator.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';

/**
 * MACD with TA-Lib's semantics (TA_MACD): both EMAs start at bar slow−1, the slow one seeded with the
 * SMA of closes 0…slow−1 and the fast one with the SMA of the `fast` closes ending at slow−1; the signal
 * EMA is seeded with the SMA of the first `signal` MACD values. All three outputs appear at index
 * slow+signal−2 (33 for 12/26/9). Recurrence as TA-Lib writes it: ((x − prev)·k) + prev.
 */
export type MacdParams = { fast_period: number; slow_period: number; signal_period: number };

const SPECS: ParamSpecs = {
  fast_period: { kind: 'int', default: 12, min: 2 },
  slow_period: { kind: 'int', default: 26, min: 2 },
  signal_period: { kind: 'int', default: 9, min: 1 },
};

export class Macd implements Indicator {
  readonly outputNames: readonly string[] = ['MACD_macd', 'MACD_signal', 'MACD_hist'];
  readonly values: IndicatorValue[] = [Number.NaN, Number.NaN, Number.NaN];
  readonly warmupBars: number;
  private readonly kFast: number;
  private readonly kSlow: number;
  private readonly kSignal: number;
  private count = 0;
  private fastSum = 0;
  private slowSum = 0;
  private signalSum = 0;
  private fast = Number.NaN;
  private slow = Number.NaN;
  private signal = Number.NaN;

  constructor(readonly params: MacdParams) {
    this.kFast = 2 / (params.fast_period + 1);
    this.kSlow = 2 / (params.slow_period + 1);
    this.kSignal = 2 / (params.signal_period + 1);
    this.warmupBars = params.slow_period + params.signal_period - 1;
  }

  update(candle: Candle): void {
    const { fast_period: fp, slow_period: sp, signal_period: gp } = this.params;
    const c = candle.close;
    const i = this.count++;
    const values = this.values;
    if (i < sp - 1) {
      this.slowSum += c;
      if (i >= sp - fp) this.fastSum += c;
      values[0] = values[1] = values[2] = Number.NaN;
      return;
    }
    if (i === sp - 1) {
      this.slowSum += c;
      this.fastSum += c;
      this.slow = this.slowSum / sp;
      this.fast = this.fastSum / fp;
    } else {
      this.slow = (c - this.slow) * this.kSlow + this.slow;
      this.fast = (c - this.fast) * this.kFast + this.fast;
    }
    const macd = this.fast - this.slow;
    const j = i - (sp - 1); // index of this MACD value
    if (j < gp - 1) {
      this.signalSum += macd;
      values[0] = values[1] = values[2] = Number.NaN;
      return;
    }
    if (j === gp - 1) {
      this.signalSum += macd;
      this.signal = this.signalSum / gp;
    } else {
      this.signal = (macd - this.signal) * this.kSignal + this.signal;
    }
    values[0] = macd;
    values[1] = this.signal;
    values[2] = macd - this.signal;
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }
}

export const macdDefinition: IndicatorDefinition<MacdParams> = {
  type: 'MACD',
  outputKind: () => 'unbounded',
  parseParams(raw) {
    const r = parseWithSpecs<MacdParams>('MACD', SPECS, raw);
    if (r.ok && r.params.fast_period >= r.params.slow_period) {
      return {
        ok: false,
        errors: [`MACD.fast_period (${r.params.fast_period}) must be less than MACD.slow_period (${r.params.slow_period})`],
      };
    }
    return r;
  },
  create: (params) => new Macd(params),
};
