import type { Logger } from '@btc-research/platform';
import type { LeaseKeeper } from './lease-keeper.js';
import type { OwnedStrategy } from './owned-strategy.js';
import type { StrategyRunner } from './strategy-runner.js';
import type { StrategyStatuses } from './strategy-status.js';

export interface OwnedStrategiesOptions {
  leases: LeaseKeeper;
  statuses: StrategyStatuses;
  logger: Logger;
}

/** The registry of the strategies this worker runs, and the ways one leaves it. */
export class OwnedStrategies {
  private readonly byId = new Map<string, OwnedStrategy>();
  private readonly runnerView = new Map<string, StrategyRunner>();

  constructor(private readonly options: OwnedStrategiesOptions) {}

  /** The runners by strategy id (a live view). */
  runners(): ReadonlyMap<string, StrategyRunner> {
    return this.runnerView;
  }

  has(strategyId: string): boolean {
    return this.byId.has(strategyId);
  }

  get(strategyId: string): OwnedStrategy | undefined {
    return this.byId.get(strategyId);
  }

  /** False once this very instance left the registry (even if the strategy was taken again since). */
  isCurrent(strategy: OwnedStrategy): boolean {
    return this.byId.get(strategy.id) === strategy;
  }

  all(): OwnedStrategy[] {
    return [...this.byId.values()];
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  add(strategy: OwnedStrategy): void {
    this.byId.set(strategy.id, strategy);
    this.runnerView.set(strategy.id, strategy.runner);
  }

  /** Lets the strategies of a symbol follow the log (except those already up to date with it). */
  wake(symbol: string, upToDate: ReadonlySet<OwnedStrategy> = new Set()): void {
    for (const s of this.byId.values()) if (s.symbol === symbol && !upToDate.has(s)) void s.pump.wake();
  }

  /**
   * Drops a strategy whose runner is ahead of the store, keeping its lease: the next lease round
   * rebuilds it from the market log and rewrites the missing effects idempotently.
   */
  forget(strategy: OwnedStrategy): void {
    if (this.isCurrent(strategy)) this.remove(strategy.id);
  }

  /** Stops running a strategy; with `releaseLease`, another worker may take it at once. */
  async deactivate(strategyId: string, releaseLease: boolean): Promise<void> {
    const strategy = this.byId.get(strategyId);
    this.remove(strategyId);
    await strategy?.pump.settled();
    if (releaseLease) await this.options.leases.releaseStrategyQuietly(strategyId);
  }

  /** Isolation: one strategy failing never stops the others. Its error goes into its status. */
  async fail(strategy: OwnedStrategy, err: unknown): Promise<void> {
    const record = strategy.runner.record;
    this.options.logger.error({ err, strategyId: record.id }, 'strategy failed; stopped it, the others keep trading');
    this.remove(record.id);
    await this.options.statuses.set(record, 'error', (err as Error).message);
    await this.options.leases.releaseStrategyQuietly(record.id);
  }

  private remove(strategyId: string): void {
    this.byId.delete(strategyId);
    this.runnerView.delete(strategyId);
  }
}
