import type { StrategyStatusValue } from '@btc-research/contracts';
import type { StrategyRecord, StrategyStore } from '@btc-research/platform';
import type { Announcer } from './announcer.js';

/** Statuses of a strategy that a worker should be running. */
export const LIVE_STATUSES: ReadonlySet<StrategyStatusValue> = new Set(['starting', 'warming-up', 'running']);

export function isLive(status: StrategyStatusValue): boolean {
  return LIVE_STATUSES.has(status);
}

/** Records a strategy's status (and error) in the store, then announces the change. */
export class StrategyStatuses {
  constructor(
    private readonly options: {
      store: StrategyStore;
      announcer: Announcer;
      now: () => number;
    },
  ) {}

  async set(record: StrategyRecord, status: StrategyStatusValue, error: string | null): Promise<void> {
    if (record.status === status && record.error === error) return;
    record.status = status;
    record.error = error;
    record.updatedAt = this.options.now();
    await this.options.store.upsertStrategy(record);
    await this.options.announcer.status(record.id, status, error);
  }
}
