import { BINANCE_ENDPOINTS, BinanceRestClient, WsConnection, combinedStreamUrl, type BinanceVenue } from '@btc-research/binance';
import type { MarketFeedStatusV1 } from '@btc-research/contracts';
import { backoffDelay, type Logger } from '@btc-research/platform';
import type { MarketPublisher } from '../market-publisher.js';
import type { MarketSource } from '../sources/market-source.js';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
import { FrameStats } from './frame-stats.js';
import { routeFrame } from './frame-router.js';
import { SymbolFeed } from './symbol-feed.js';

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
 */
export async function startBinanceSource(o: BinanceSourceOptions): Promise<BinanceSource> {
  const now = o.now ?? Date.now;
  const venue = BINANCE_ENDPOINTS[o.venue].venue;
  const abort = new AbortController();
  const rest = new BinanceRestClient({ baseUrl: o.restUrl, logger: o.logger, signal: abort.signal, timeoutMs: o.restTimeoutMs ?? 10_000, maxAttempts: o.restMaxAttempts ?? 6 });
  const frames = new FrameStats(o.logger);
  let publishErrors = 0;
  const feeds = new Map<string, SymbolFeed>();
  for (const symbol of o.symbols) {
    await o.publisher.seedFromBus(symbol).catch((err: unknown) => o.logger.warn({ err, symbol }, 'could not read the last published candle'));
    feeds.set(
      symbol,
      new SymbolFeed({
        symbol, venue, publisher: o.publisher, logger: o.logger, rest,
        historyMinutes: o.historyMinutes ?? 0,
        ...(o.graceMs === undefined ? {} : { graceMs: o.graceMs }),
        ...(o.depthPublishMs === undefined ? {} : { depthPublishMs: o.depthPublishMs }),
        onPublishError: (err) => {
          publishErrors += 1;
          if (publishErrors === 1 || publishErrors % 1000 === 0) o.logger.error({ err, publishErrors }, 'publishing market data failed');
        },
        now,
      }),
    );
  }
  const url = combinedStreamUrl(o.wsUrl, o.symbols, o.tradeStream ?? 'trade');
  const breaker = new CircuitBreaker({ failureThreshold: o.circuitFailureThreshold ?? 5, openMs: o.circuitOpenMs ?? 30_000, maxOpenMs: o.circuitMaxOpenMs ?? 600_000, now });
  let active: WsConnection | null = null;
  let standby: WsConnection | null = null;
  let connecting: WsConnection | null = null;
  let nextId = 1;
  let connectionsOpened = 0;
  let reconnects = 0;
  let rotations = 0;
  let stopped = false;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let lastWsDataAt = now();
  let transport: 'websocket' | 'rest' | 'cache' = 'websocket';
  let state: MarketFeedStatusV1['state'] = 'connecting';
  let lastReportedCircuit: CircuitState = 'closed';
  let restPollRunning = false;
  let lastRestPollAt = 0;
  let message = `connecting to ${o.wsUrl}`;

  const lastCandleClose = (): number | null => {
    let min: number | null = null;
    for (const s of o.symbols) {
      const t = o.publisher.lastCandleOpenTime(s);
      if (t !== undefined) min = min === null ? t + 60_000 : Math.min(min, t + 60_000);
    }
    return min;
  };

  /** market time now: the newest exchange event time plus the local time since it arrived (grows in an outage) */
  const marketNow = (): number => {
    let t = 0;
    for (const f of feeds.values()) if (f.clock > 0) t = Math.max(t, f.clock + Math.max(0, now() - f.clockSeenAt));
    return t || now();
  };

  const status = (): MarketFeedStatusV1 => {
    const last = lastCandleClose();
    let clock = 0;
    let resyncs = 0;
    let backfilled = 0;
    const booksSynced: Record<string, boolean> = {};
    const unconfirmedMinutes: Record<string, number> = {};
    for (const f of feeds.values()) {
      unconfirmedMinutes[f.symbol] = f.unconfirmedMinutes;
      clock = Math.max(clock, f.clock);
      resyncs += f.counters.bookResyncs;
      backfilled += f.counters.backfilledCandles;
      booksSynced[f.symbol] = f.bookSynced;
    }
    return {
      source: o.venue,
      requestedSource: o.requestedSource,
      isSimulated: false,
      state,
      circuit: breaker.state,
      symbols: o.symbols,
      lastCandleCloseTime: last,
      lagMs: last === null ? null : Math.max(0, marketNow() - last),
      reconnects,
      message,
      transport,
      venue,
      consecutiveFailures: breaker.consecutiveFailures,
      circuitRetryAt: breaker.retryAt,
      booksSynced,
      bookResyncs: resyncs,
      backfilledCandles: backfilled,
      unconfirmedMinutes,
      droppedFrames: { ...frames.dropped },
      rateLimited: rest.counters.rateLimited,
      lastEventTime: clock === 0 ? null : clock,
    };
  };

  let statusChain: Promise<void> = Promise.resolve();
  const stateDebounceMs = o.stateDebounceMs ?? 2_000;
  let publishedState: MarketFeedStatusV1['state'] | null = null;
  let publishedStateAt = 0;
  let debounceTimer: NodeJS.Timeout | null = null;
  /**
   * Publishes the status. State changes are debounced: a change to 'live' or 'stopped' goes out at
   * once; any other waits until the state last published has held stateDebounceMs, and then the
   * state of that moment goes out — so a feed that fails a try every second does not flip.
   */
  const publishStatus = (): Promise<void> => {
    const t = now();
    if (state !== publishedState && state !== 'live' && state !== 'stopped' && publishedState !== null && t - publishedStateAt < stateDebounceMs) {
      if (debounceTimer === null && !stopped) {
        debounceTimer = setTimeout(() => {
          debounceTimer = null;
          void publishStatus();
        }, stateDebounceMs - (t - publishedStateAt));
        debounceTimer.unref();
      }
      return statusChain;
    }
    const s = status();
    if (s.state !== publishedState) {
      publishedState = s.state;
      publishedStateAt = t;
    }
    statusChain = statusChain.then(() => o.publisher.feedStatus(s)).catch((err: unknown) => o.logger.warn({ err }, 'feed status publish failed'));
    return statusChain;
  };
  const setState = (s: MarketFeedStatusV1['state'], t: typeof transport, msg: string): void => {
    const changed = s !== state || t !== transport || msg !== message || breaker.state !== lastReportedCircuit;
    state = s;
    transport = t;
    message = msg;
    lastReportedCircuit = breaker.state;
    if (changed) void publishStatus();
  };

  const onMessage = (conn: WsConnection, text: string): void => {
    if (conn === connecting) {
      connecting = null;
      if (active === null) {
        active = conn;
        breaker.onSuccess();
        o.logger.info({ connection: conn.id, url }, 'Binance WebSocket live');
        setState('live', 'websocket', `live on ${o.wsUrl} (${o.symbols.join(', ')})`);
      } else {
        standby = conn; // rotation: the new connection delivers; promote it once its depth joins
      }
    }
    if (conn !== active && conn !== standby) return;
    lastWsDataAt = now();
    const primary = conn === active;
    const routed = routeFrame(text, feeds, frames, primary);
    if (!primary && standby === conn && routed.kind === 'depth') {
      // promote the new connection once its depth continues every synced book
      const joined = [...feeds.values()].every((f) => !f.bookSynced || f.sync.book.lastUpdateId >= (f.symbol === routed.symbol ? routed.finalUpdateId ?? 0 : 0));
      if (joined) promoteStandby();
    }
  };

  const promoteStandby = (): void => {
    if (standby === null) return;
    const old = active;
    active = standby;
    standby = null;
    rotations += 1;
    for (const f of feeds.values()) f.connectionPromoted();
    o.logger.info({ from: old?.id, to: active.id }, 'connection rotated (make-before-break) without a gap');
    old?.close();
  };

  const onClose = (conn: WsConnection, info: { code: number; reason: string; wasOpen: boolean; error: string | null }): void => {
    if (conn === standby) {
      standby = null;
      return;
    }
    if (conn === connecting) connecting = null;
    const wasActive = conn === active;
    if (wasActive) {
      active = null;
      if (standby !== null) {
        // the old connection ended during a rotation: the new one takes over at once
        active = standby;
        standby = null;
        rotations += 1;
        for (const f of feeds.values()) f.connectionPromoted();
        return;
      }
      for (const f of feeds.values()) f.connectionLost();
    }
    if (stopped) return;
    if (!wasActive && conn.messages > 0) return; // a rotated-out connection closing
    breaker.onFailure();
    reconnects += wasActive ? 1 : 0;
    o.logger.warn({ connection: conn.id, code: info.code, reason: info.reason, error: info.error, wasOpen: info.wasOpen, failures: breaker.consecutiveFailures, circuit: breaker.state }, 'Binance WebSocket closed');
    // stale (REST down too) stays stale until REST answers again: a failed reconnect says nothing new
    const next = state === 'stale' ? 'stale' : breaker.state === 'closed' ? 'connecting' : 'degraded';
    setState(next, transport, `WebSocket closed (${info.error ?? `code ${info.code}`}); reconnecting`);
    scheduleReconnect();
  };

  const open = (): void => {
    if (stopped || connecting !== null) return;
    connectionsOpened += 1;
    connecting = new WsConnection({
      url, id: nextId++, now, onMessage, onClose,
      pingIntervalMs: o.pingIntervalMs ?? 30_000,
      deadAfterMs: o.deadAfterMs ?? 60_000,
      connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
    });
  };

  const scheduleReconnect = (): void => {
    if (stopped || reconnectTimer !== null) return;
    const delay = Math.max(backoffDelay(breaker.consecutiveFailures, { baseMs: o.reconnectBaseMs ?? 500, maxMs: o.reconnectMaxMs ?? 30_000 }), breaker.waitMs());
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (active === null) open();
    }, delay);
    reconnectTimer.unref();
  };

  const pollRest = async (): Promise<void> => {
    if (restPollRunning) return;
    restPollRunning = true;
    lastRestPollAt = now();
    try {
      const serverTime = await rest.serverTime();
      for (const f of feeds.values()) await f.advanceClock(serverTime);
      const failed = [...feeds.values()].find((f) => f.lastError !== null);
      if (failed) throw new Error(failed.lastError ?? 'backfill failed');
      setState('degraded', 'rest', `WebSocket down (circuit ${breaker.state}); candles from REST polling`);
    } catch (err) {
      setState('stale', 'cache', `WebSocket and REST down: last cached data only, STALE (${(err as Error).message})`);
    } finally {
      restPollRunning = false;
    }
  };

  const supervisor = setInterval(() => {
    if (stopped) return;
    const t = now();
    if (active !== null && standby === null && connecting === null && t - active.openedAt >= (o.maxConnectionAgeMs ?? 23.5 * 3_600_000)) {
      o.logger.info({ connection: active.id }, 'connection near its 24 h limit: opening its successor');
      open();
    }
    if (active === null && connecting === null && reconnectTimer === null) scheduleReconnect();
    if (active === null && t - lastWsDataAt >= (o.restFallbackAfterMs ?? 5_000) && t - lastRestPollAt >= (o.restPollMs ?? 5_000)) void pollRest();
    if (breaker.state !== lastReportedCircuit) setState(state, transport, message);
  }, Math.min(250, o.restPollMs ?? 250));
  supervisor.unref();
  const statusTimer = setInterval(() => void publishStatus(), o.statusIntervalMs ?? 5_000);
  statusTimer.unref();

  await publishStatus();
  open();
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  return {
    name: o.venue,
    status,
    done,
    feeds,
    frames,
    rest,
    get connectionsOpened() {
      return connectionsOpened;
    },
    get rotations() {
      return rotations;
    },
    activeConnectionId: () => active?.id ?? null,
    publishStatus,
    async stop() {
      if (stopped) return;
      stopped = true;
      abort.abort();
      clearInterval(supervisor);
      clearInterval(statusTimer);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      if (debounceTimer) clearTimeout(debounceTimer);
      for (const c of [active, standby, connecting]) c?.close();
      for (const f of feeds.values()) f.stop();
      await Promise.all([...feeds.values()].map((f) => f.idle()));
      state = 'stopped';
      await publishStatus();
      resolveDone();
    },
  };
}
