import type { StrategyEffects, StrategyStore } from '@btc-research/platform';

interface PendingWrite {
  strategyId: string;
  effects: StrategyEffects;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Gathers the writes of every strategy that became ready on the same input into one store call
 * (PostgreSQL: one statement, one commit). Each strategy still waits for its own write before its
 * next batch, so its effects stay in order. A failed group is retried strategy by strategy, so one
 * bad batch cannot fail the others.
 */
export class EffectsWriter {
  private queue: PendingWrite[] = [];
  private flushing = false;

  constructor(private readonly store: StrategyStore) {}

  write(strategyId: string, effects: StrategyEffects): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ strategyId, effects, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // strategies woken by the same input queue their writes in this turn: flush after it
        queueMicrotask(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.writeGroup(this.queue.splice(0));
    } finally {
      this.flushing = false;
    }
  }

  private async writeGroup(group: PendingWrite[]): Promise<void> {
    try {
      await this.store.persistMany(group.map((g) => ({ strategyId: g.strategyId, effects: g.effects })));
      for (const g of group) g.resolve();
    } catch (err) {
      if (group.length === 1) {
        group[0]!.reject(err);
        return;
      }
      for (const g of group) await this.store.persistEffects(g.strategyId, g.effects).then(g.resolve, g.reject);
    }
  }
}
