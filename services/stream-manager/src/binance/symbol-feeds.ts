import type { BinanceRestClient } from '@btc-research/binance';
import type { Venue } from '@btc-research/contracts';
import type { Logger } from '@btc-research/platform';
import type { MarketPublisher } from '../market-publisher.js';
import { SymbolFeed } from './symbol-feed.js';

export interface SymbolFeedsOptions {
  symbols: readonly string[];
  venue: Venue;
  publisher: MarketPublisher;
  logger: Logger;
  rest: BinanceRestClient;
  historyMinutes?: number | undefined;
  graceMs?: number | undefined;
  depthPublishMs?: number | undefined;
  now: () => number;
}

/**
 * One SymbolFeed per served symbol, each continuing after the last candle already on the bus.
 * The feeds share one PublishFailureLog, so a bus outage logs once, not once per symbol and frame.
 */
export async function openSymbolFeeds(o: SymbolFeedsOptions): Promise<Map<string, SymbolFeed>> {
  const failures = new PublishFailureLog(o.logger);
  const feeds = new Map<string, SymbolFeed>();
  for (const symbol of o.symbols) {
    await o.publisher.seedFromBus(symbol).catch((err: unknown) => o.logger.warn({ err, symbol }, 'could not read the last published candle'));
    feeds.set(
      symbol,
      new SymbolFeed({
        symbol, venue: o.venue, publisher: o.publisher, logger: o.logger, rest: o.rest,
        historyMinutes: o.historyMinutes ?? 0,
        ...(o.graceMs === undefined ? {} : { graceMs: o.graceMs }),
        ...(o.depthPublishMs === undefined ? {} : { depthPublishMs: o.depthPublishMs }),
        onPublishError: (err) => failures.record(err),
        now: o.now,
      }),
    );
  }
  return feeds;
}

/** Counts failed publishes and logs the first and every 1000th (the feeds keep going while the bus is down). */
class PublishFailureLog {
  private failures = 0;
  constructor(private readonly logger: Logger) {}

  record(err: unknown): void {
    this.failures += 1;
    if (this.failures === 1 || this.failures % 1000 === 0) this.logger.error({ err, publishErrors: this.failures }, 'publishing market data failed');
  }
}
