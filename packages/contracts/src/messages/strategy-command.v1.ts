import { z } from 'zod';
import { StrategyId } from '../scalars.js';

/** Commands to the paper-trader (imperative). Handlers are idempotent on the envelope id. */
export const StrategyStartV1 = z.object({
  strategyId: StrategyId,
  /** file name inside config/, e.g. "demo-rsi.yaml" */
  configName: z.string().min(1),
  /** the YAML text itself; stored with the strategy so a later edit of the file does not change it */
  configYaml: z.string().min(1),
  initialCash: z.string().optional(),
  /** display name given at start (default: the YAML's name, else configName) */
  name: z.string().optional(),
});
export type StrategyStartV1 = z.infer<typeof StrategyStartV1>;

export const StrategyStopV1 = z.object({
  strategyId: StrategyId,
  reason: z.string().default('requested'),
  /** set when the strategy cannot run (e.g. the venue does not list its symbol): it ends in `error` with this text */
  error: z.string().min(1).optional(),
});
export type StrategyStopV1 = z.infer<typeof StrategyStopV1>;

/** Close the strategy's open position now with a market order (reason `forced`); the strategy keeps running. */
export const StrategyForceExitV1 = z.object({ strategyId: StrategyId, note: z.string().max(500).default('forced from the API') });
export type StrategyForceExitV1 = z.infer<typeof StrategyForceExitV1>;
