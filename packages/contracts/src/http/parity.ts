import { z } from 'zod';
import { StrategyParityCheckedV1 } from '../messages/strategy-parity.v1.js';
import { StrategyId } from '../scalars.js';

export const ParityQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('checks in history (newest first)'),
});

export const ParityResponse = z
  .object({
    strategyId: StrategyId,
    latest: StrategyParityCheckedV1.nullable().describe('the newest check; null before the first one'),
    history: z.array(StrategyParityCheckedV1).describe('newest first'),
  })
  .meta({ id: 'Parity' });
export type ParityResponse = z.infer<typeof ParityResponse>;

export const ParityCheckBody = z
  .object({
    waitMs: z.number().int().min(0).max(60_000).optional().describe('how long to wait for the result (default 10000 ms); after that 202 with the check id'),
  })
  .strict()
  .meta({ id: 'ParityCheckRequest' });
export type ParityCheckBody = z.infer<typeof ParityCheckBody>;

export const ParityCheckParams = z.object({ id: StrategyId, checkId: z.string().min(1).max(200) });

/** 202: the check was requested and has not finished yet; poll checkUrl. */
export const ParityCheckPendingResponse = z
  .object({ strategyId: StrategyId, checkId: z.string(), status: z.literal('pending'), checkUrl: z.string() })
  .meta({ id: 'ParityCheckPending' });
export type ParityCheckPendingResponse = z.infer<typeof ParityCheckPendingResponse>;
