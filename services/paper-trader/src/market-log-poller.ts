import type { StrategyStore } from '@btc-research/platform';
import type { MarketLogTail } from './market-log-tail.js';
import type { OwnedStrategies } from './owned-strategies.js';

export interface MarketLogPollerOptions {
  store: StrategyStore;
  owned: OwnedStrategies;
  tail: MarketLogTail;
  /** the log writer learns of new inputs as it writes them and never polls */
  isIngesting: () => boolean;
}

/** How a worker that does not write the market log learns about new inputs: it looks. */
export class MarketLogPoller {
  constructor(private readonly options: MarketLogPollerOptions) {}

  /** Wakes the strategies of every symbol whose log grew, or that are behind what is known of it. */
  async poll(): Promise<void> {
    const { store, owned, tail, isIngesting } = this.options;
    if (isIngesting()) return;
    const symbols = new Set(owned.all().map((s) => s.symbol));
    for (const symbol of symbols) {
      const known = tail.knownEnd(symbol)?.seq ?? 0;
      const next = await store.listMarketEvents(symbol, known, 1);
      if (next.length > 0 || owned.all().some((s) => s.symbol === symbol && s.runner.marketSeq < known)) owned.wake(symbol);
    }
  }
}
