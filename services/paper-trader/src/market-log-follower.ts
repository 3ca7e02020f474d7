import type { Logger } from '@btc-research/platform';
import type { Announcer } from './announcer.js';
import type { EffectsWriter } from './effects-writer.js';
import type { MarketLogTail } from './market-log-tail.js';
import type { OwnedStrategies } from './owned-strategies.js';
import type { LogFollower, OwnedStrategy } from './owned-strategy.js';
import { emptyOutput, hasChanges, logRejections } from './runner-output.js';
import type { StrategyStatuses } from './strategy-status.js';

export interface MarketLogFollowerOptions {
  owned: OwnedStrategies;
  tail: MarketLogTail;
  writer: EffectsWriter;
  announcer: Announcer;
  statuses: StrategyStatuses;
  logger: Logger;
  /** aborted when the service closes */
  signal: AbortSignal;
}

/**
 * Moves owned strategies along the market log: reads the inputs after each one's position (from
 * memory on the log writer, else from the store), feeds them to its runner, writes what they changed
 * and announces it. Strategies up to date with the log take the one-commit path instead
 * (InputCommitter); this is how the others catch up and how workers that do not write the log follow it.
 */
export class MarketLogFollower implements LogFollower {
  constructor(private readonly options: MarketLogFollowerOptions) {}

  isFollowing(strategy: OwnedStrategy): boolean {
    return !this.options.signal.aborted && this.options.owned.isCurrent(strategy);
  }

  async follow(strategy: OwnedStrategy): Promise<void> {
    const { tail, writer, announcer, owned, logger } = this.options;
    const runner = strategy.runner;
    while (this.isFollowing(strategy)) {
      const page = await tail.pageAfter(strategy.symbol, runner.marketSeq);
      if (page.length === 0) return;
      const out = emptyOutput();
      try {
        for (const e of page) runner.process(e, out);
      } catch (err) {
        await owned.fail(strategy, err);
        return;
      }
      logRejections(logger, strategy.id, out);
      if (hasChanges(out)) {
        await writer.write(strategy.id, runner.effectsOf(out));
        await announcer.batch(runner, out);
      }
      tail.note(strategy.symbol, page[page.length - 1]!);
      if (strategy.hasBecomeReady()) await this.options.statuses.set(runner.record, 'running', null);
      if (strategy.snapshots.isDue()) await strategy.snapshots.saveNow();
    }
  }

  onFollowFailed(strategy: OwnedStrategy, err: unknown): void {
    this.options.logger.error({ err, strategyId: strategy.id }, 'persisting a strategy batch failed; rebuilding it from the market log');
    this.options.owned.forget(strategy);
  }
}
