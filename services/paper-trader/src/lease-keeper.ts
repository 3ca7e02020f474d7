import type { StrategyStore } from '@btc-research/platform';

const MARKET_LOG_LEASE = 'market-log';
const strategyLease = (strategyId: string) => `strategy:${strategyId}`;

export interface LeaseKeeperOptions {
  store: StrategyStore;
  /** this worker's name, the leases' holder */
  worker: string;
  /** a lease not renewed for this long is free for another worker */
  ttlMs: number;
}

/**
 * The leases this worker holds in the store: the market log's (one writer at a time) and one per
 * strategy (one owner at a time). Acquiring also renews a lease this worker already holds.
 */
export class LeaseKeeper {
  constructor(private readonly options: LeaseKeeperOptions) {}

  get worker(): string {
    return this.options.worker;
  }

  acquireMarketLog(): Promise<boolean> {
    return this.options.store.acquireLease(MARKET_LOG_LEASE, this.options.worker, this.options.ttlMs);
  }

  /** Hands the market log over at once (a clean shutdown); failures are left to expiry. */
  async releaseMarketLog(): Promise<void> {
    await this.options.store.releaseLease(MARKET_LOG_LEASE, this.options.worker).catch(() => undefined);
  }

  acquireStrategy(strategyId: string): Promise<boolean> {
    return this.options.store.acquireLease(strategyLease(strategyId), this.options.worker, this.options.ttlMs);
  }

  releaseStrategy(strategyId: string): Promise<void> {
    return this.options.store.releaseLease(strategyLease(strategyId), this.options.worker);
  }

  /** Releases a strategy's lease if it can; one that cannot be released expires on its own. */
  async releaseStrategyQuietly(strategyId: string): Promise<void> {
    await this.releaseStrategy(strategyId).catch(() => undefined);
  }

  /** True while some worker (this one or another) holds the strategy's lease. */
  async isStrategyHeld(strategyId: string): Promise<boolean> {
    return (await this.options.store.getLease(strategyLease(strategyId))) !== null;
  }
}
