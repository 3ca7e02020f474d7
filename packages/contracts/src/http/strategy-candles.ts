import { z } from 'zod';
import { MarketSymbol, StrategyId, UnixMs } from '../scalars.js';
import { CandleDto, MarketTimeframe } from './market.js';

/** A page of a strategy's candles, newest first in paging order (each page older than the last). */
export const StrategyCandlesQuery = z.object({
  timeframe: MarketTimeframe.default('1m'),
  before: z.coerce.number().int().nonnegative().optional().describe('epoch ms: only candles that open before this (the previous page\'s nextBefore); omit for the newest page'),
  limit: z.coerce.number().int().min(1).max(1000).default(300).describe('closed candles in the page'),
});
export type StrategyCandlesQuery = z.infer<typeof StrategyCandlesQuery>;

export const StrategyCandlesResponse = z
  .object({
    strategyId: StrategyId,
    symbol: MarketSymbol,
    timeframe: MarketTimeframe,
    candles: z.array(CandleDto).describe('closed candles, oldest first'),
    forming: CandleDto.nullable().describe(
      'the candle still forming (newest page only): closed 1m candles of its bar plus trades since, provisional until it closes',
    ),
    nextBefore: UnixMs.nullable().describe('pass as `before` for the page before this one; null when stored history ends here'),
    historyStart: UnixMs.nullable().describe('open time of the oldest stored 1m candle (older ones were pruned by market-log retention or never recorded)'),
    strategyStart: UnixMs.describe('when the strategy was created'),
  })
  .meta({ id: 'StrategyCandles' });
export type StrategyCandlesResponse = z.infer<typeof StrategyCandlesResponse>;
