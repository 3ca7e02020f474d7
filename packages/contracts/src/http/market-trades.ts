import { z } from 'zod';
import { DecimalString, MarketSymbol, UnixMs } from '../scalars.js';

export const MarketTradesQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(30).describe('the newest trades') });

export const MarketTradesResponse = z
  .object({
    symbol: MarketSymbol,
    items: z
      .array(
        z.object({
          tradeId: z.string(),
          price: DecimalString,
          quantity: DecimalString,
          time: UnixMs,
          side: z.enum(['buy', 'sell']).describe('the taker\'s side: sell when the buyer was the maker'),
        }),
      )
      .describe('newest first'),
  })
  .meta({ id: 'MarketTrades' });
export type MarketTradesResponse = z.infer<typeof MarketTradesResponse>;
