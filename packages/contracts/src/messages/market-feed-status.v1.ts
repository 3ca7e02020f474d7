import { z } from 'zod';
import { MarketSymbol, UnixMs } from '../scalars.js';

/** Health of the market-data feed. `isSimulated` is what the API and dashboard banner show. */
export const MarketFeedStatusV1 = z.object({
  source: z.enum(['binance', 'binanceus', 'simulated', 'replay']),
  requestedSource: z.enum(['auto', 'binance', 'simulated', 'replay']),
  isSimulated: z.boolean(),
  state: z.enum(['connecting', 'live', 'backfilling', 'degraded', 'stale', 'stopped']),
  circuit: z.enum(['closed', 'open', 'half-open']),
  symbols: z.array(MarketSymbol),
  lastCandleCloseTime: UnixMs.nullable(),
  lagMs: z.number().nullable(),
  reconnects: z.number().int().nonnegative(),
  message: z.string(),
});
export type MarketFeedStatusV1 = z.infer<typeof MarketFeedStatusV1>;
