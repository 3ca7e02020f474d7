import { z } from 'zod';
import { DecimalString, MarketSymbol, UnixMs, Venue } from '../scalars.js';

/** The values of a candle of any timeframe; `closeTime` is exclusive. The API's candles carry the same. */
export const CandleValues = z.object({
  openTime: UnixMs,
  closeTime: UnixMs,
  open: DecimalString,
  high: DecimalString,
  low: DecimalString,
  close: DecimalString,
  volume: DecimalString,
});
export type CandleValues = z.infer<typeof CandleValues>;

/** A closed 1m candle. `closeTime` is exclusive (openTime + 60 000). Only closed candles reach strategies. */
export const MarketCandleClosedV1 = z.object({
  venue: Venue,
  symbol: MarketSymbol,
  timeframe: z.literal('1m'),
  ...CandleValues.shape,
  /** true when produced by a fallback (gap fill) rather than observed trades. */
  synthetic: z.boolean().default(false),
  /** where the candle came from: live feed, REST backfill, simulator or replay. */
  origin: z.enum(['live', 'backfill', 'simulated', 'replay']),
  /**
   * true when the exchange has not confirmed it yet (e.g. trades of the minute went missing, no
   * closed kline arrived and REST failed), or an earlier minute is still unconfirmed: strategies
   * never decide on it; a `market.candle.corrected` for the same openTime follows with the
   * confirmed values (corrections come in minute order).
   */
  provisional: z.boolean().default(false),
  /**
   * Set when the minutes between the previous candle published for the symbol and this one have no
   * candle at the venue (an exchange halt), as the source confirmed: its REST klines returned none
   * for them, or the replayed file has none. Consumers accept a jump in the series only with it.
   */
  venueGapBefore: z
    .object({ fromOpenTime: UnixMs, minutes: z.number().int().positive(), confirmedBy: z.enum(['rest', 'file']) })
    .optional(),
});
export type MarketCandleClosedV1 = z.infer<typeof MarketCandleClosedV1>;
