import type { Logger, MarketEventRecord, StrategyStore } from '@btc-research/platform';
import type { Announcer } from './announcer.js';
import type { MarketLogTail } from './market-log-tail.js';
import type { OwnedStrategies } from './owned-strategies.js';
import type { OwnedStrategy } from './owned-strategy.js';
import { emptyOutput, hasChanges, logRejections, type RunnerOutput } from './runner-output.js';
import type { StrategyStatuses } from './strategy-status.js';

export interface InputCommitterOptions {
  store: StrategyStore;
  owned: OwnedStrategies;
  tail: MarketLogTail;
  announcer: Announcer;
  statuses: StrategyStatuses;
  logger: Logger;
}

interface TakenPart {
  strategy: OwnedStrategy;
  out: RunnerOutput;
}

/**
 * The fast path of the log writer: the strategies that are up to date with the log process the new
 * inputs right away, and the inputs and everything they caused are committed in one write, so a
 * fill is durable one commit after its market event arrived. Strategies still catching up follow
 * the log through their pumps as before. If the write fails, the strategies that took part are
 * ahead of the store: they are dropped (lease kept) and rebuilt from the log on the next lease round.
 */
export class InputCommitter {
  constructor(private readonly options: InputCommitterOptions) {}

  async commit(symbol: string, events: readonly MarketEventRecord[]): Promise<void> {
    const { taken, failed } = this.processUpToDate(symbol, events);
    // their pumps wait until the write is done, so each strategy's writes stay in order
    const holds = taken.map((t) => t.strategy.pump.hold());
    try {
      await this.write(symbol, events, taken);
    } finally {
      for (const hold of holds) hold.release();
    }
    this.options.tail.remember(symbol, events);
    for (const { strategy, err } of failed) void this.options.owned.fail(strategy, err);
    for (const t of taken) this.afterCommit(t.strategy, t.out);
    // the others follow the log; waking those that just took part would only start idle pumps,
    // which would keep them out of the next batch
    this.options.owned.wake(symbol, new Set(taken.map((t) => t.strategy)));
  }

  /** Feeds the inputs to every idle strategy of the symbol whose position is right before them. */
  private processUpToDate(symbol: string, events: readonly MarketEventRecord[]): { taken: TakenPart[]; failed: Array<{ strategy: OwnedStrategy; err: unknown }> } {
    const before = events[0]!.seq - 1;
    const taken: TakenPart[] = [];
    const failed: Array<{ strategy: OwnedStrategy; err: unknown }> = [];
    for (const strategy of this.options.owned.all()) {
      const runner = strategy.runner;
      if (strategy.symbol !== symbol || !strategy.pump.isIdle || runner.marketSeq !== before) continue;
      const out = emptyOutput();
      try {
        for (const e of events) runner.process(e, out);
      } catch (err) {
        failed.push({ strategy, err });
        continue;
      }
      taken.push({ strategy, out });
    }
    return { taken, failed };
  }

  /** One write: the inputs and the effects of every strategy they changed. */
  private async write(symbol: string, events: readonly MarketEventRecord[], taken: readonly TakenPart[]): Promise<void> {
    const changed = taken.filter((t) => hasChanges(t.out));
    try {
      await this.options.store.appendMarketEventsWithEffects(
        symbol,
        events,
        changed.map((t) => ({ strategyId: t.strategy.id, effects: t.strategy.runner.effectsOf(t.out) })),
      );
    } catch (err) {
      this.options.logger.error({ err, symbol, fromSeq: events[0]!.seq, strategies: taken.length }, 'writing market inputs with their effects failed; rebuilding the strategies that took part');
      for (const { strategy } of taken) this.options.owned.forget(strategy);
      throw err;
    }
  }

  /** A committed batch's follow-up, in order per strategy and off the ingest's path. */
  private afterCommit(strategy: OwnedStrategy, out: RunnerOutput): void {
    logRejections(this.options.logger, strategy.id, out);
    const becameReady = strategy.hasBecomeReady();
    // the snapshot is taken now, while it matches what was just committed
    const snapshot = strategy.snapshots.takeIfDue();
    if (!hasChanges(out) && !becameReady && !snapshot) return;
    strategy.followUps
      .run(async () => {
        if (hasChanges(out)) await this.options.announcer.batch(strategy.runner, out);
        if (becameReady) await this.options.statuses.set(strategy.runner.record, 'running', null);
        if (snapshot) await strategy.snapshots.save(snapshot);
      })
      .catch((err: unknown) => this.options.logger.warn({ err, strategyId: strategy.id }, 'announcing a committed batch failed'));
  }
}
