import type { Logger, StrategyRecord, StrategyStore } from '@btc-research/platform';
import type { LeaseKeeper } from './lease-keeper.js';
import type { MarketLogIngest } from './market-log.js';
import type { MarketLogPruner } from './market-log-pruner.js';
import type { OwnedStrategies } from './owned-strategies.js';
import type { StrategyActivation } from './strategy-activation.js';
import { isLive } from './strategy-status.js';

/** Logged even before any strategy trades it, so a strategy started later has history. */
const ALWAYS_LOGGED_SYMBOL = 'BTCUSDT';

export interface LeaseRoundOptions {
  store: StrategyStore;
  leases: LeaseKeeper;
  ingest: Pick<MarketLogIngest, 'start' | 'stop'>;
  pruner: MarketLogPruner;
  owned: OwnedStrategies;
  activation: StrategyActivation;
  logger: Logger;
  /** aborted when the service closes */
  signal: AbortSignal;
}

/**
 * One round of lease work, every third of the lease length and at start-up (startup is recovery):
 * the market log is written here while this worker holds its lease, strategy leases are renewed,
 * strategies nobody owns are taken over, and those this worker lost or was told to stop are dropped.
 */
export class LeaseRound {
  private holdsMarketLog = false;

  constructor(private readonly options: LeaseRoundOptions) {}

  async run(): Promise<void> {
    if (this.options.signal.aborted) return;
    const records = await this.options.store.listStrategies();
    await this.keepMarketLog(new Set([ALWAYS_LOGGED_SYMBOL, ...records.map((r) => r.symbol)]), records);
    // what this worker owns first: its leases are renewed before any (slow) takeover
    const ownedFirst = [...records].sort((a, b) => Number(this.options.owned.has(b.id)) - Number(this.options.owned.has(a.id)));
    for (const record of ownedFirst) await this.keepStrategy(record);
  }

  /** Writes the market log (and applies its retention) while this worker holds its lease. */
  private async keepMarketLog(symbols: ReadonlySet<string>, records: readonly StrategyRecord[]): Promise<void> {
    const { leases, ingest, pruner } = this.options;
    this.holdsMarketLog = await leases.acquireMarketLog();
    if (!this.holdsMarketLog) {
      await ingest.stop();
      return;
    }
    ingest.start([...symbols]);
    await pruner.pruneIfDue(symbols, records);
  }

  /**
   * A takeover replays a strategy's log, which can take longer than a lease lasts: after each one the
   * leases this worker already holds are renewed, so taking over several strategies never lets the
   * first ones (or the market log) lapse to another worker in the middle of the round.
   */
  private async renewHeld(): Promise<void> {
    const { owned, leases, ingest, logger } = this.options;
    if (this.holdsMarketLog && !(await leases.acquireMarketLog())) {
      this.holdsMarketLog = false;
      await ingest.stop();
    }
    for (const id of owned.ids()) {
      if (await leases.acquireStrategy(id)) continue;
      logger.warn({ strategyId: id }, 'lost the lease of a strategy; another worker owns it now');
      await owned.deactivate(id, false);
    }
  }

  private async keepStrategy(record: StrategyRecord): Promise<void> {
    const { owned, leases, activation, logger } = this.options;
    const mine = owned.get(record.id);
    if (!mine) {
      if (!isLive(record.status)) return;
      if (await activation.activate(record)) logger.info({ strategyId: record.id, worker: leases.worker }, 'took over strategy');
      await this.renewHeld();
    } else if (!isLive(record.status)) {
      logger.info({ strategyId: record.id, status: record.status }, 'strategy no longer live; dropping it');
      await owned.deactivate(record.id, true);
    } else if (!(await leases.acquireStrategy(record.id))) {
      logger.warn({ strategyId: record.id }, 'lost the lease of a strategy; another worker owns it now');
      await owned.deactivate(record.id, false);
    } else mine.runner.record.status = record.status;
  }
}
