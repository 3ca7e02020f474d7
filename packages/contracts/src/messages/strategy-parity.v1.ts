import { z } from 'zod';
import { StrategyId, UnixMs } from '../scalars.js';

/** A value as paper trading and the replay had it (decimals as text, non-finite numbers as text, absent as null). */
export const ParityValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const ParityDivergenceKind = z.enum(['indicator', 'decision', 'order', 'fill', 'fee', 'balance']);

/** The first place where the replay of the recorded log and paper trading differ, with both values. */
export const ParityDivergence = z
  .object({
    at: UnixMs.describe('the event time, or the time of the last input replayed (indicators, balances)'),
    kind: ParityDivergenceKind,
    field: z.string().describe('e.g. price, quality.vwap, type (an event one side has and the other not), RSI_14, cash'),
    paper: ParityValue,
    replay: ParityValue,
    eventSeq: z.number().int().nonnegative().optional().describe("the differing event's seq in the strategy's event log"),
    eventType: z.string().optional(),
    inputSeq: z.number().int().nonnegative().nullable().describe('market-log seq of the input replayed last when it showed'),
  })
  .meta({ id: 'ParityDivergence' });
export type ParityDivergence = z.infer<typeof ParityDivergence>;

/** The part of the recorded market log a check replayed (times of its first and last input; null: none). */
export const ParityWindow = z
  .object({
    fromSeq: z.number().int().nonnegative().nullable(),
    toSeq: z.number().int().nonnegative().nullable(),
    from: UnixMs.nullable(),
    to: UnixMs.nullable(),
    inputs: z.number().int().nonnegative(),
    start: z.enum(['log-start', 'checkpoint']).describe('replayed from the log start, or from a snapshot the previous passing check verified'),
  })
  .meta({ id: 'ParityWindow' });
export type ParityWindow = z.infer<typeof ParityWindow>;

/**
 * One parity check of a running strategy: its recorded market log replayed through a fresh core
 * and compared with what paper trading did (events, indicators, balances). Stored for every check
 * and published on the strategy events stream as `strategy.parity.checked`; a `fail` verdict is an
 * alert (consumers: the notifier's "parity check failed" event).
 */
export const StrategyParityCheckedV1 = z
  .object({
    strategyId: StrategyId,
    checkId: z.string().min(1).max(200),
    checkedAt: UnixMs.describe('when the check ended'),
    trigger: z.enum(['scheduled', 'on-demand']),
    verdict: z.enum(['pass', 'fail']),
    window: ParityWindow,
    firstDivergence: ParityDivergence.optional(),
    compared: z.object({
      events: z.number().int().nonnegative(),
      indicatorCheckpoints: z.number().int().nonnegative(),
      indicatorValues: z.number().int().nonnegative(),
      balances: z.boolean(),
    }),
    maxIndicatorDeviation: z.number().nonnegative().describe('largest relative difference of an indicator value (0: exact)'),
    indicatorTolerance: z.number().nonnegative(),
    durationMs: z.number().int().nonnegative(),
    /** worker that ran it */
    worker: z.string(),
  })
  .meta({ id: 'ParityCheck' });
export type StrategyParityCheckedV1 = z.infer<typeof StrategyParityCheckedV1>;

/** Command: run one parity check of a strategy now (any paper-trader worker may run it). */
export const StrategyParityCheckV1 = z.object({
  strategyId: StrategyId,
  /** the id the check is stored under, chosen by the requester */
  checkId: z.string().min(1).max(200),
});
export type StrategyParityCheckV1 = z.infer<typeof StrategyParityCheckV1>;
