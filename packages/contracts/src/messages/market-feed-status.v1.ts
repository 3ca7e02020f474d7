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
  // Optional detail (added in v1, older producers omit it).
  /** which transport delivers data now: WebSocket, REST polling fallback, or nothing new (last cached data) */
  transport: z.enum(['websocket', 'rest', 'cache', 'simulator', 'file']).optional(),
  /** venue the source talks to */
  venue: z.enum(['BINANCE', 'BINANCEUS', 'SIMULATED']).optional(),
  /** consecutive failed connection attempts (what drives the circuit breaker) */
  consecutiveFailures: z.number().int().nonnegative().optional(),
  /** when an open circuit will next let a trial connection through (epoch ms) */
  circuitRetryAt: UnixMs.nullable().optional(),
  /** order books in sync with the exchange (local book from snapshot + diffs), per symbol */
  booksSynced: z.record(z.string(), z.boolean()).optional(),
  /** book resyncs after sequence gaps, since start */
  bookResyncs: z.number().int().nonnegative().optional(),
  /** candles fetched from REST to fill gaps, since start */
  backfilledCandles: z.number().int().nonnegative().optional(),
  /** malformed or unexpected frames dropped, by kind, since start */
  droppedFrames: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** REST requests that hit 429/418 and waited out Retry-After, since start */
  rateLimited: z.number().int().nonnegative().optional(),
  /**
   * per symbol, minutes published provisional (or held back: nothing of them seen) that the
   * exchange has not confirmed yet; strategies wait for their corrections
   */
  unconfirmedMinutes: z.record(z.string(), z.number().int().nonnegative()).optional(),
  /** most recent exchange event time seen (epoch ms) */
  lastEventTime: UnixMs.nullable().optional(),
});
export type MarketFeedStatusV1 = z.infer<typeof MarketFeedStatusV1>;
