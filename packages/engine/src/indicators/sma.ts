import type { Candle } from '../model/candle.js';
import { RollingSma } from './common.js';
import type { Indicator, IndicatorDefinition, IndicatorValue } from './indicator.js';
import { parseWithSpecs, type ParamSpecs } from './params.js';

/** Simple moving average, TA-Lib semantics (first value at index length−1). Not in the original. */
export type SmaParams = { length: number; source: CandleSource };

export type CandleSource = 'open' | 'high' | 'low' | 'close' | 'volume';

export const SOURCES: readonly CandleSource[] = ['open', 'high', 'low', 'close', 'volume'];

const SPECS: ParamSpecs = {
  length: { kind: 'int', default: 30, min: 1 },
  source: { kind: 'enum', default: 'close', values: SOURCES },
};

export function sourceValue(candle: Candle, source: CandleSource): number {
  switch (source) {
    case 'open':
      return candle.open;
    case 'high':
      return candle.high;
    case 'low':
      return candle.low;
    case 'close':
      return candle.close;
    case 'volume':
      return candle.volume;
  }
}

export class Sma implements Indicator {
  readonly outputNames: readonly string[];
  readonly values: IndicatorValue[] = [Number.NaN];
  readonly warmupBars: number;
  private readonly sma: RollingSma;
  private count = 0;

  constructor(readonly params: SmaParams) {
    this.outputNames = [`SMA_${params.length}`];
    this.warmupBars = params.length;
    this.sma = new RollingSma(params.length);
  }

  update(candle: Candle): void {
    this.count++;
    this.values[0] = this.sma.push(sourceValue(candle, this.params.source));
  }

  isReady(): boolean {
    return this.count >= this.warmupBars;
  }
}

export const smaDefinition: IndicatorDefinition<SmaParams> = {
  type: 'SMA',
  outputKind: () => 'price',
  parseParams: (raw) => parseWithSpecs<SmaParams>('SMA', SPECS, raw),
  create: (params) => new Sma(params),
};
