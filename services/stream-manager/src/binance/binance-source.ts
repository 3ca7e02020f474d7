import { BINANCE_ENDPOINTS, BinanceRestClient, combinedStreamUrl, type BinanceVenue } from '@btc-research/binance';
import type { MarketFeedStatusV1 } from '@btc-research/contracts';
import type { Logger } from '@btc-research/platform';
import type { MarketPublisher } from '../market-publisher.js';
import type { MarketSource } from '../sources/market-source.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { ConnectionKeeper } from './connection-keeper.js';
import { FeedStatusReporter } from './feed-status-reporter.js';
import { FrameStats } from './frame-stats.js';
import { RestFallback } from './rest-fallback.js';
import type { SymbolFeed } from './symbol-feed.js';
import { openSymbolFeeds } from './symbol-feeds.js';

export interface BinanceSourceOptions {
  symbols: string[];
  venue: BinanceVenue;
  wsUrl: string;
  restUrl: string;
  publisher: MarketPublisher;
  logger: Logger;
  requestedSource: MarketFeedStatusV1['requestedSource'];
  now?: () => number;
  tradeStream?: 'trade' | 'aggTrade';
  historyMinutes?: number;
  pingIntervalMs?: number;
  deadAfterMs?: number;
  connectTimeoutMs?: number;
  /** proactive reconnect before Binance's 24 h cut (make-before-break) */
  maxConnectionAgeMs?: number;
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  circuitFailureThreshold?: number;
  circuitOpenMs?: number;
  circuitMaxOpenMs?: number;
  /** no WebSocket data for this long → poll REST */
  restFallbackAfterMs?: number;
  restPollMs?: number;
  statusIntervalMs?: number;
  graceMs?: number;
  depthPublishMs?: number;
  restTimeoutMs?: number;
  restMaxAttempts?: number;
  /** a feed state must hold this long before a change to a worse one is published (ms). Default 2 000. */
  stateDebounceMs?: number;
}

export interface BinanceSource extends MarketSource {
  readonly feeds: ReadonlyMap<string, SymbolFeed>;
  readonly frames: FrameStats;
  readonly rest: BinanceRestClient;
  /** connections opened so far (including rotations) */
  readonly connectionsOpened: number;
  /** make-before-break rotations completed */
  readonly rotations: number;
  /** the live connection's id, null when disconnected */
  activeConnectionId(): number | null;
  /** publishes the feed status now */
  publishStatus(): Promise<void>;
}

/**
 * Live market data from Binance (or Binance.US): one combined-stream WebSocket for all symbols,
 * reconnect with exponential backoff and jitter behind a circuit breaker, dead-connection
 * detection, a make-before-break reconnect before the 24 h limit, REST polling when the WebSocket
 * is down, and the last cached data flagged stale when REST is down too. Every symbol's frames go
 * through its SymbolFeed (candles, book, trades) and the one MarketPublisher.
 *
 * The parts: ConnectionKeeper (the WebSocket), RestFallback (REST while it is down),
 * FeedStatusReporter (md:feed), one SymbolFeed per symbol; this function wires them and runs the
 * periodic supervision.
 */
export async function startBinanceSource(o: BinanceSourceOptions): Promise<BinanceSource> {
  const now = o.now ?? Date.now;
  const abort = new AbortController();
  const rest = new BinanceRestClient({ baseUrl: o.restUrl, logger: o.logger, signal: abort.signal, timeoutMs: o.restTimeoutMs ?? 10_000, maxAttempts: o.restMaxAttempts ?? 6 });
  const frames = new FrameStats(o.logger);
  const venue = BINANCE_ENDPOINTS[o.venue].venue;
  const feeds = await openSymbolFeeds({ symbols: o.symbols, venue, publisher: o.publisher, logger: o.logger, rest, historyMinutes: o.historyMinutes, graceMs: o.graceMs, depthPublishMs: o.depthPublishMs, now });
  const breaker = new CircuitBreaker({ failureThreshold: o.circuitFailureThreshold ?? 5, openMs: o.circuitOpenMs ?? 30_000, maxOpenMs: o.circuitMaxOpenMs ?? 600_000, now });
  const status = new FeedStatusReporter({
    source: o.venue, requestedSource: o.requestedSource, venue, symbols: o.symbols, initialMessage: `connecting to ${o.wsUrl}`,
    feeds, frames, rest, breaker, publisher: o.publisher, logger: o.logger, now,
    reconnects: (): number => connection.reconnects,
    stateDebounceMs: o.stateDebounceMs ?? 2_000,
  });
  const connection = new ConnectionKeeper({
    url: combinedStreamUrl(o.wsUrl, o.symbols, o.tradeStream ?? 'trade'), wsUrl: o.wsUrl, symbols: o.symbols,
    feeds, frames, breaker, status, logger: o.logger, now,
    pingIntervalMs: o.pingIntervalMs ?? 30_000, deadAfterMs: o.deadAfterMs ?? 60_000, connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
    maxConnectionAgeMs: o.maxConnectionAgeMs ?? 23.5 * 3_600_000, reconnectBaseMs: o.reconnectBaseMs ?? 500, reconnectMaxMs: o.reconnectMaxMs ?? 30_000,
  });
  const restFallback = new RestFallback({ rest, feeds, breaker, status, now, afterMs: o.restFallbackAfterMs ?? 5_000, pollMs: o.restPollMs ?? 5_000 });

  let stopped = false;
  const supervisor = setInterval(() => {
    if (stopped) return;
    const t = now();
    connection.supervise(t);
    if (connection.isDisconnected) restFallback.pollIfDue(t, connection.lastDataAt);
    status.reportCircuitChange();
  }, Math.min(250, o.restPollMs ?? 250));
  supervisor.unref();
  const statusTimer = setInterval(() => void status.publish(), o.statusIntervalMs ?? 5_000);
  statusTimer.unref();

  await status.publish();
  connection.open();
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  return {
    name: o.venue,
    status: () => status.status(),
    done,
    feeds,
    frames,
    rest,
    get connectionsOpened() {
      return connection.connectionsOpened;
    },
    get rotations() {
      return connection.rotations;
    },
    activeConnectionId: () => connection.activeConnectionId,
    publishStatus: () => status.publish(),
    async stop() {
      if (stopped) return;
      stopped = true;
      abort.abort();
      clearInterval(supervisor);
      clearInterval(statusTimer);
      status.stop();
      connection.stop();
      for (const f of feeds.values()) f.stop();
      await Promise.all([...feeds.values()].map((f) => f.idle()));
      await status.publishStopped();
      resolveDone();
    },
  };
}
