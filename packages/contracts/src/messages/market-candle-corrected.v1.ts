import { z } from 'zod';
import { MarketCandleClosedV1 } from './market-candle-closed.v1.js';

/**
 * The confirmed values of a 1m candle that was published as provisional (or held back because
 * nothing of it was seen), on the same candle stream after it (so a consumer reading the stream in
 * order sees the provisional candle, then this). Corrections come in minute order, each continuing
 * the last confirmed minute. `changed` is false when the provisional values were right. Strategies
 * see only confirmed candles.
 */
export const MarketCandleCorrectedV1 = MarketCandleClosedV1.omit({ provisional: true, synthetic: true }).extend({
  origin: z.enum(['live', 'backfill', 'replay']),
  changed: z.boolean(),
  /**
   * what confirmed it: the exchange's closed kline, its REST klines, or the minute's trades with
   * contiguous ids (a minute that was confirmed itself but waited for an earlier unconfirmed one)
   */
  confirmedBy: z.enum(['kline', 'rest', 'trades']),
});
export type MarketCandleCorrectedV1 = z.infer<typeof MarketCandleCorrectedV1>;
