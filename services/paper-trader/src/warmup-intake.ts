import type { StrategyWarmupHistoryV1 } from '@btc-research/contracts';
import type { Logger, StrategyStore } from '@btc-research/platform';
import type { OwnedStrategies } from './owned-strategies.js';
import type { StrategyActivation } from './strategy-activation.js';
import { isLive } from './strategy-status.js';

export interface WarmupIntakeOptions {
  store: StrategyStore;
  owned: OwnedStrategies;
  activation: StrategyActivation;
  logger: Logger;
  now: () => number;
  /** a history arriving later than this after the strategy's activation is dropped (ms) */
  waitMs: number;
}

/**
 * Takes a strategy's warm-up history (`strategy.warmup.history`) on the worker running it: while
 * the strategy is still warming up and within the wait, the history is stored with it and the
 * strategy rebuilt from scratch on history + log, as every later rebuild will be. Otherwise it is
 * dropped, so what ran and what a rebuild replays stay the same inputs.
 */
export class WarmupIntake {
  constructor(private readonly options: WarmupIntakeOptions) {}

  /** True when the history was stored and the strategy rebuilt on it. */
  async receive(history: StrategyWarmupHistoryV1): Promise<boolean> {
    const { store, owned, activation, logger, now, waitMs } = this.options;
    const strategy = owned.get(history.strategyId);
    if (!strategy) return false; // another worker runs it (every worker sees the message)
    const context = { strategyId: history.strategyId, symbol: history.symbol, candles: history.candles.length };
    if (strategy.symbol !== history.symbol) {
      logger.warn({ ...context, strategySymbol: strategy.symbol }, 'warm-up history of another symbol than the strategy trades; dropped');
      return false;
    }
    if (strategy.runner.core.logic.isReady()) {
      logger.info(context, 'warm-up history arrived for a strategy that is warmed up already; dropped');
      return false;
    }
    const waitedMs = now() - strategy.activatedAt;
    if (waitedMs > waitMs) {
      logger.warn({ ...context, waitedMs, waitMs }, 'warm-up history arrived after the wait; dropped, the strategy warms up on live candles');
      return false;
    }
    const record = await store.getStrategy(history.strategyId);
    if (!record || !isLive(record.status)) return false;
    await store.saveWarmupHistory({ strategyId: history.strategyId, symbol: history.symbol, candles: history.candles });
    await owned.deactivate(history.strategyId, false);
    await strategy.followUps.idle(); // batches committed for the old runner are announced before the new one starts
    const active = await activation.activate(record, { fresh: true });
    logger.info({ ...context, waitedMs, active }, 'warm-up history stored; strategy rebuilt on it');
    return active;
  }
}
