import type { BinanceRestClient } from '@btc-research/binance';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { FeedStatusReporter } from './feed-status-reporter.js';
import type { SymbolFeed } from './symbol-feed.js';

export interface RestFallbackOptions {
  rest: BinanceRestClient;
  feeds: ReadonlyMap<string, SymbolFeed>;
  breaker: CircuitBreaker;
  status: FeedStatusReporter;
  now: () => number;
  /** no WebSocket data for this long → poll REST (ms) */
  afterMs: number;
  /** between polls (ms) */
  pollMs: number;
}

/**
 * Candles while the WebSocket is down: every poll advances each feed's clock to the server's time,
 * so the feeds backfill the minutes that closed from REST klines. When REST fails too, the feed is
 * STALE: the last cached data only.
 */
export class RestFallback {
  private polling = false;
  private lastPollAt = 0;

  constructor(private readonly o: RestFallbackOptions) {}

  /** polls when the WebSocket has been silent long enough and the last poll is old enough */
  pollIfDue(t: number, lastWsDataAt: number): void {
    if (t - lastWsDataAt >= this.o.afterMs && t - this.lastPollAt >= this.o.pollMs) void this.poll();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    this.lastPollAt = this.o.now();
    try {
      const serverTime = await this.o.rest.serverTime();
      for (const f of this.o.feeds.values()) await f.advanceClock(serverTime);
      const failed = [...this.o.feeds.values()].find((f) => f.lastError !== null);
      if (failed) throw new Error(failed.lastError ?? 'backfill failed');
      this.o.status.set('degraded', 'rest', `WebSocket down (circuit ${this.o.breaker.state}); candles from REST polling`);
    } catch (err) {
      this.o.status.set('stale', 'cache', `WebSocket and REST down: last cached data only, STALE (${(err as Error).message})`);
    } finally {
      this.polling = false;
    }
  }
}
