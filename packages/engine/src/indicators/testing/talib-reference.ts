import type { Candle } from '../../model/candle.js';

/** The npm `talib` module; test files load it with `createRequire(import.meta.url)('talib')` (a native addon). */
export interface Talib {
  version: string;
  execute(params: Record<string, unknown>): {
    begIndex: number;
    nbElement: number;
    result: Record<string, number[]>;
    error?: string;
  };
}

/**
 * Runs a TA-Lib function over candles and returns each output aligned to the candle index
 * (NaN before TA-Lib's lookback). TA-Lib is the independent reference for the standard indicators.
 */
export function talibSeries(
  talib: Talib,
  name: string,
  candles: readonly Candle[],
  options: Record<string, number> = {},
): Record<string, number[]> {
  const res = talib.execute({
    name,
    startIdx: 0,
    endIdx: candles.length - 1,
    open: candles.map((c) => c.open),
    high: candles.map((c) => c.high),
    low: candles.map((c) => c.low),
    close: candles.map((c) => c.close),
    volume: candles.map((c) => c.volume),
    inReal: candles.map((c) => c.close),
    ...options,
  });
  if (res.error !== undefined) throw new Error(`talib ${name}: ${res.error}`);
  const out: Record<string, number[]> = {};
  for (const [key, values] of Object.entries(res.result)) {
    const aligned = new Array<number>(candles.length).fill(Number.NaN);
    for (let k = 0; k < values.length; k++) aligned[res.begIndex + k] = values[k] as number;
    out[key] = aligned;
  }
  return out;
}
