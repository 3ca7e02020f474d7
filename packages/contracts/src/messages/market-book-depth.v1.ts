import { z } from 'zod';
import { DecimalString, MarketSymbol, UnixMs, Venue } from '../scalars.js';

const Level = z.tuple([DecimalString, DecimalString]);

/**
 * The top levels of the local order book (kept from a REST snapshot plus depth diffs), published at
 * a throttled rate. `lastUpdateId` is the exchange's book update id the levels correspond to.
 */
export const MarketBookDepthV1 = z.object({
  venue: Venue,
  symbol: MarketSymbol,
  lastUpdateId: z.number().int().nonnegative(),
  /** best first, [price, quantity] */
  bids: z.array(Level),
  asks: z.array(Level),
  time: UnixMs,
});
export type MarketBookDepthV1 = z.infer<typeof MarketBookDepthV1>;
