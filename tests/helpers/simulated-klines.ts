import { simulatedMinuteCandles, type Candle } from '@btc-research/engine';

/** `count` closed 1m candles from the project's seeded simulator (no third-party data needed). */
export const simulatedCandles = simulatedMinuteCandles;

/** The candles as a 12-column Binance kline CSV (the format of data.binance.vision and `btc-research download`). */
export function toBinanceKlineCsv(candles: readonly Candle[]): string {
  return candles.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume, c.closeTime - 1, 0, 0, 0, 0, 0].join(',')).join('\n') + '\n';
}
