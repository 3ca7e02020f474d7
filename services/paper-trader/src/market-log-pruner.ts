import type { Logger, StrategyRecord, StrategyStore } from '@btc-research/platform';
import { pruneMarketLog } from './market-log-retention.js';
import { isLive } from './strategy-status.js';

export interface MarketLogPrunerOptions {
  store: StrategyStore;
  logger: Logger;
  now: () => number;
  /** inputs older than this behind the log's end may go; 0 keeps everything */
  retentionMs: number;
  /** how often retention runs */
  intervalMs: number;
}

/** Applies the market log's retention, at most once per interval (the log writer does this). */
export class MarketLogPruner {
  private lastPruneAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: MarketLogPrunerOptions) {}

  async pruneIfDue(symbols: Iterable<string>, records: readonly StrategyRecord[]): Promise<void> {
    const { store, logger, now, retentionMs, intervalMs } = this.options;
    if (retentionMs <= 0 || now() - this.lastPruneAt < intervalMs) return;
    this.lastPruneAt = now();
    for (const symbol of symbols) {
      const live = records.filter((r) => r.symbol === symbol && isLive(r.status));
      const pruned = await pruneMarketLog(store, symbol, retentionMs, live);
      if (pruned > 0) logger.info({ symbol, pruned, retentionHours: retentionMs / 3_600_000 }, 'pruned the market log');
    }
  }
}
