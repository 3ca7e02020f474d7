import { z } from 'zod';
import { DecimalString, MarketSymbol, UnixMs, Venue } from '../scalars.js';

/** Best bid and ask. */
export const MarketBookTickerV1 = z.object({
  venue: Venue,
  symbol: MarketSymbol,
  bidPrice: DecimalString,
  bidQty: DecimalString,
  askPrice: DecimalString,
  askQty: DecimalString,
  time: UnixMs,
});
export type MarketBookTickerV1 = z.infer<typeof MarketBookTickerV1>;
