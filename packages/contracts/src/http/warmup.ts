import { z } from 'zod';
import { UnixMs } from '../scalars.js';

export const IndicatorWarmupDto = z
  .object({
    id: z.string(),
    type: z.string(),
    timeframe: z.string(),
    barsReady: z.number().int().nonnegative().describe('closed candles of its timeframe the strategy has processed, up to barsNeeded'),
    barsNeeded: z.number().int().nonnegative().describe('candles of its timeframe before every output is defined'),
    ready: z.boolean(),
    gatesSignals: z.boolean().describe('no signal before it is ready'),
    etaMs: z.number().int().nonnegative().describe('market time until ready (wall time when the feed runs at live speed); 0 when ready'),
  })
  .meta({ id: 'IndicatorWarmup' });

export const WarmupProgressDto = z
  .object({
    ready: z.boolean().describe('every indicator that gates signals is ready'),
    lastCandleCloseTime: UnixMs.nullable().describe('the last 1m candle the strategy processed (progress is counted up to it)'),
    readyAt: UnixMs.nullable().describe('market time at which the last gating indicator is ready (null when ready)'),
    etaMs: z.number().int().nonnegative().describe('market time until signals can start; 0 when ready'),
    totalMinutes: z.number().int().nonnegative().describe('1m candles of history the strategy needs before its first signal (the engine\'s warm-up report)'),
    indicators: z.array(IndicatorWarmupDto),
  })
  .meta({ id: 'WarmupProgress' });
export type WarmupProgressDto = z.infer<typeof WarmupProgressDto>;
