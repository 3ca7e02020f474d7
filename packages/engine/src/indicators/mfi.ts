import type { Candle } from '../model/candle.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from './indicator.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';

/**
 * Money Flow Index, TA-Lib semantics (MFI, default 14): typical price TP = (H+L+C)/3, raw flow TP·V
 * counted positive when TP rose and negative when it fell (neither when unchanged), summed over the
 * last `length` flows with running sums (flows start at bar 1, so the first value is at index length).
 * MFI = 100·pos/(pos+neg), and 0 when pos+neg < 1 (TA-Lib's rule, reproduced).
 */
export type MfiParams = { length: number };

const SPECS: ParamSpecs = { length: { kind: 'int', default: 14, min: 1 } };

export class Mfi implements Indicator {
  readonly outputNames: readonly string[];
  readonly values: IndicatorValue[] = [Number.NaN];
  readonly warmupBars: number;
  private readonly pos: Float64Array;
  private readonly neg: Float64Array;
  private idx = 0;
  private count = 0;
  private prevTp = Number.NaN;
  private posSum = 0;
  private negSum = 0;

  constructor(readonly params: MfiParams) {
    this.outputNames = [`MFI_${params.length}`];
    this.warmupBars = params.length + 1;
    this.pos = new Float64Array(params.length);
    this.neg = new Float64Array(params.length);
  }

  update(candle: Candle): void {
    const n = this.params.length;
    const i = this.count++;
    const tp = (candle.high + candle.low + candle.close) / 3;
    if (i === 0) {
      this.prevTp = tp;
      this.values[0] = Number.NaN;
      return;
    }
    if (i > n) {
      this.posSum -= this.pos[this.idx] as number;
      this.negSum -= this.neg[this.idx] as number;
    }
    const change = tp - this.prevTp;
    this.prevTp = tp;
    const flow = tp * candle.volume;
    if (change < 0) {
      this.neg[this.idx] = flow;
      this.negSum += flow;
      this.pos[this.idx] = 0;
    } else if (change > 0) {
      this.pos[this.idx] = flow;
      this.posSum += flow;
      this.neg[this.idx] = 0;
    } else {
      this.pos[this.idx] = 0;
      this.neg[this.idx] = 0;
    }
    this.idx = this.idx + 1 === n ? 0 : this.idx + 1;
    if (i < n) {
      this.values[0] = Number.NaN;
      return;
    }
    const total = this.posSum + this.negSum;
    this.values[0] = total < 1 ? 0 : 100 * (this.posSum / total);
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }
}

export const mfiDefinition: IndicatorDefinition<MfiParams> = {
  type: 'MFI',
  outputKind: () => 'bounded',
  parseParams: (raw) => parseWithSpecs<MfiParams>('MFI', SPECS, raw),
  create: (params) => new Mfi(params),
};
