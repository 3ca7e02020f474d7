import { z } from 'zod';
import { DecimalString, MarketSymbol, UnixMs, Venue } from '../scalars.js';

/** One public trade (or the last-price tick of a candle-only source). */
export const MarketTradeV1 = z.object({
  venue: Venue,
  symbol: MarketSymbol,
  tradeId: z.string(),
  price: DecimalString,
  quantity: DecimalString,
  time: UnixMs,
  isBuyerMaker: z.boolean(),
});
export type MarketTradeV1 = z.infer<typeof MarketTradeV1>;
