import type { EquitySample } from '@btc-research/engine';
import type { StrategyStore } from '@btc-research/platform';
import { RoundTripTracker } from './round-trips.js';
import { allTrades } from './all-trades.js';

/**
 * What a strategy's statistics are computed from, kept in memory and brought up to date from the
 * store incrementally (only trades and equity points newer than the last sync are read), so /stats
 * costs O(new data) plus one pass of the engine's statistics over the equity samples.
 */
export class StrategyStatsModel {
  readonly trips = new RoundTripTracker();
  readonly samples: EquitySample[] = [];
  fillCount = 0;
  private lastTradeTime: number | null = null;
  /** ids of the trades at lastTradeTime (a later page may repeat that time) */
  private idsAtLastTime = new Set<string>();
  private lastEquityTime = -1;

  async sync(store: StrategyStore, id: string): Promise<void> {
    const fresh = [];
    const range = this.lastTradeTime === null ? {} : { from: this.lastTradeTime };
    for await (const t of allTrades(store, id, range)) {
      if (t.time === this.lastTradeTime && this.idsAtLastTime.has(t.tradeId)) continue;
      fresh.push(t);
    }
    // allTrades is newest first (time, then insertion order): reversed it is the order they happened
    for (let i = fresh.length - 1; i >= 0; i--) {
      const t = fresh[i]!;
      this.trips.add(t);
      this.fillCount += 1;
      if (t.time !== this.lastTradeTime) {
        this.lastTradeTime = t.time;
        this.idsAtLastTime = new Set();
      }
      this.idsAtLastTime.add(t.tradeId);
    }
    const points = await store.listEquity(id, this.lastEquityTime + 1, 10_000_000);
    for (const p of points) {
      if (p.time <= this.lastEquityTime) continue;
      this.samples.push({ time: p.time, equity: Number(p.equity) });
      this.lastEquityTime = p.time;
    }
  }
}

/** One model per strategy, synced one at a time; rebuilt when the store has fewer trades than it saw (a reset). */
export class StatsModels {
  private readonly models = new Map<string, { model: StrategyStatsModel; syncing: Promise<StrategyStatsModel> | null }>();

  async synced(store: StrategyStore, id: string): Promise<StrategyStatsModel> {
    let slot = this.models.get(id);
    if (!slot) {
      slot = { model: new StrategyStatsModel(), syncing: null };
      this.models.set(id, slot);
    }
    const current = slot;
    current.syncing ??= (async () => {
      try {
        if ((await store.countTrades(id)) < current.model.fillCount) current.model = new StrategyStatsModel();
        await current.model.sync(store, id);
        return current.model;
      } finally {
        current.syncing = null;
      }
    })();
    return current.syncing;
  }

  forget(id: string): void {
    this.models.delete(id);
  }
}
