import { z } from 'zod';
import { DecimalString, MarketSymbol, UnixMs, Venue } from '../scalars.js';
import { CandleValues } from '../messages/market-candle-closed.v1.js';
import { MarketFeedStatusV1 } from '../messages/market-feed-status.v1.js';

export const FeedStatusResponse = z
  .object({
    available: z.boolean().describe('false until the stream-manager has published a feed status'),
    isSimulated: z.boolean(),
    status: MarketFeedStatusV1.nullable(),
    receivedAt: UnixMs.nullable().describe('tsEvent of the status envelope'),
  })
  .meta({ id: 'FeedStatus' });
export type FeedStatusResponse = z.infer<typeof FeedStatusResponse>;

export const MarketTimeframe = z.enum(['1m', '5m', '15m', '30m', '1h', '4h', '1d']);
export type MarketTimeframe = z.infer<typeof MarketTimeframe>;

export const MarketDataParams = z.object({ symbol: MarketSymbol });
export const MarketDataQuery = z.object({
  timeframes: z
    .string()
    .max(100)
    .default('1m,5m,1h')
    .transform((s, ctx) => {
      const out: MarketTimeframe[] = [];
      for (const part of s.split(',').map((p) => p.trim()).filter((p) => p.length > 0)) {
        const tf = MarketTimeframe.safeParse(part);
        if (!tf.success) {
          ctx.addIssue({ code: 'custom', message: `unknown timeframe "${part}" (use ${MarketTimeframe.options.join(', ')})` });
          return z.NEVER;
        }
        if (!out.includes(tf.data)) out.push(tf.data);
      }
      return out;
    })
    .describe('comma separated, e.g. 1m,5m,1h'),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('candles per timeframe'),
});

export const CandleDto = CandleValues.extend({
  isComplete: z.boolean().describe('false when the higher-timeframe candle is still building'),
  provisional: z.literal(true).optional().describe('present when a minute in it is not confirmed by the exchange yet (strategies do not see it)'),
  corrected: z.literal(true).optional().describe('present when a minute in it was published provisional and then corrected with the confirmed values'),
}).meta({ id: 'Candle' });
export type CandleDto = z.infer<typeof CandleDto>;

export const MarketDataResponse = z
  .object({
    symbol: MarketSymbol,
    venue: Venue.nullable(),
    lastPrice: DecimalString.nullable(),
    lastTradeTime: UnixMs.nullable(),
    bid: DecimalString.nullable(),
    ask: DecimalString.nullable(),
    bookTime: UnixMs.nullable(),
    candles: z.record(z.string(), z.array(CandleDto)),
    feed: FeedStatusResponse,
  })
  .meta({ id: 'MarketData' });
export type MarketDataResponse = z.infer<typeof MarketDataResponse>;

export const DepthQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20).describe('levels per side') });

export const MarketDepthResponse = z
  .object({
    symbol: MarketSymbol,
    venue: Venue,
    lastUpdateId: z.number().int().nonnegative(),
    time: UnixMs,
    bids: z.array(z.tuple([DecimalString, DecimalString])).describe('[price, quantity], best first'),
    asks: z.array(z.tuple([DecimalString, DecimalString])),
    current: z
      .boolean()
      .describe('false while the feed reports this book unsynced (an outage or a sequence gap) or its data stale: these levels are the last known book, not the market now'),
  })
  .meta({ id: 'MarketDepth' });
export type MarketDepthResponse = z.infer<typeof MarketDepthResponse>;
