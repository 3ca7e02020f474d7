import type { MarketEventRecord, StrategyStore } from '@btc-research/platform';
import { LOG_PAGE_SIZE } from './market-log-tail.js';
import { emptyOutput, type RunnerOutput } from './runner-output.js';
import type { StrategyRunner } from './strategy-runner.js';

export interface MarketLogReplay {
  store: StrategyStore;
  runner: StrategyRunner;
  /** after the runner processed each input */
  onInput?: (e: MarketEventRecord) => void;
  /** after each page, with what the page changed */
  onPage: (page: readonly MarketEventRecord[], out: RunnerOutput) => Promise<void>;
}

/**
 * Feeds a runner its symbol's market log from the runner's position to the log's end, page by page,
 * straight from the store. This rebuilds a strategy from its recorded inputs; it touches nothing but
 * the runner and what `onPage` does, so it can also replay a strategy away from the trading path.
 * Returns how many inputs were read.
 */
export async function replayMarketLog(replay: MarketLogReplay): Promise<number> {
  const { store, runner } = replay;
  let replayed = 0;
  for (;;) {
    const page = await store.listMarketEvents(runner.record.symbol, runner.marketSeq, LOG_PAGE_SIZE);
    if (page.length === 0) return replayed;
    const out = emptyOutput();
    for (const e of page) {
      runner.process(e, out);
      replay.onInput?.(e);
    }
    replayed += page.length;
    await replay.onPage(page, out);
  }
}
