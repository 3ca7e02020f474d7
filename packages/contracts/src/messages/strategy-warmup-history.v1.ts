import { z } from 'zod';
import { CandleValues } from './market-candle-closed.v1.js';
import { MarketSymbol, StrategyId, UnixMs, Venue } from '../scalars.js';

/**
 * The most 1m candles one warm-up history carries: two weeks. One message (not chunks): the
 * paper-trader's workers share the commands stream's group, so the chunks of one history could reach
 * different workers. A strategy needing more warms up the rest on live candles.
 */
export const WARMUP_HISTORY_MAX_CANDLES = 20_160;

/**
 * How long after a strategy's start a warm-up history is still used (the stream-manager sends none
 * for an older start; the paper-trader drops one arriving later): past it, the strategy warms up
 * on live candles instead of being rebuilt with backdated readiness.
 */
export const WARMUP_HISTORY_WAIT_MS = 30_000;

/**
 * Older 1m candles for one strategy's warm-up, published by the stream-manager on the commands
 * stream when a strategy starts on a symbol whose market log may hold less than its warm-up needs
 * (REST klines on Binance, generated on the simulator). The paper-trader stores them with the
 * strategy and feeds the ones right before the log's first candle ahead of the log replay; the
 * shared market log itself is never rewritten. Oldest first, contiguous, closeTime exclusive.
 */
export const StrategyWarmupHistoryV1 = z.object({
  strategyId: StrategyId,
  symbol: MarketSymbol,
  venue: Venue,
  /** when the stream-manager saw the start command (its envelope's tsEvent) */
  startedAt: UnixMs,
  candles: z.array(CandleValues).max(WARMUP_HISTORY_MAX_CANDLES),
});
export type StrategyWarmupHistoryV1 = z.infer<typeof StrategyWarmupHistoryV1>;
