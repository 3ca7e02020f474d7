import { runBacktest } from '../backtest/run-backtest.js';
import { fixedSlippageModel, type ExecutionModelOverrides } from '../execution/execution-models.js';
import type { CoreInput, TradingCoreOptions } from '../kernel/trading-core.js';
import { buildTradingSetup } from '../kernel/trading-setup.js';
import type { CompiledStrategy } from '../strategy/compiled-strategy.js';
import { fillFromTrade, type ReconcileFill } from './reconcile-fills.js';

/** The strategy as the paper trader ran it: what every run of a reconciliation starts from. */
export interface PaperStrategy {
  strategyId: string;
  configYaml: string;
  configName: string;
  initialCash: string;
  /** candles closing before this only warmed the strategy up */
  tradingStartTime: number;
  /** order/trade id prefix of the run (`<id>-r<run>` after a restart; default the id) */
  idPrefix?: string | undefined;
  /** execution settings the paper trader ran with beyond the config (e.g. its maker rate) */
  execution?: Omit<ExecutionModelOverrides, 'commission' | 'slippage'> | undefined;
}

/** What one run changes against the paper trader's setup: its inputs and, optionally, its cost models. */
export interface RunVariant {
  inputs: readonly CoreInput[];
  /** full modelled spread (fraction) */
  spread?: string;
  /** modelled slippage (fraction) instead of the config's */
  slippage?: string;
  latencyMs?: { min: number; max: number };
}

/** A fresh core's setup for the strategy with a variant's models (same config, seed and ids as paper). */
export function setupForRun(paper: PaperStrategy, variant: Omit<RunVariant, 'inputs'> = {}): { strategy: CompiledStrategy; options: TradingCoreOptions } {
  const setup = buildTradingSetup(paper.configYaml, paper.configName, {
    strategyId: paper.strategyId,
    initialCash: paper.initialCash,
    tradingStartTime: paper.tradingStartTime,
    execution: { ...paper.execution, ...(variant.spread !== undefined ? { spread: variant.spread } : {}), ...(variant.latencyMs ? { latencyMs: variant.latencyMs } : {}) },
  });
  if (!setup.ok) throw new Error('a config that compiled once no longer compiles');
  const options: TradingCoreOptions = { ...setup.coreOptions, ...(paper.idPrefix !== undefined ? { idPrefix: paper.idPrefix } : {}) };
  if (variant.slippage !== undefined) options.models = { ...options.models, slippage: fixedSlippageModel(variant.slippage) };
  return { strategy: setup.strategy, options };
}

/** The fills of the strategy over a variant's inputs, fed one at a time as paper trading does. */
export function runVariant(paper: PaperStrategy, variant: RunVariant): ReconcileFill[] {
  const { strategy, options } = setupForRun(paper, variant);
  return runBacktest(strategy, variant.inputs, options, { legacyLookahead: 'incremental' }).trades.map(fillFromTrade);
}
