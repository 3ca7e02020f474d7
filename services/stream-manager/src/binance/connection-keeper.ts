import { WsConnection } from '@btc-research/binance';
import { backoffDelay, type Logger } from '@btc-research/platform';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { FeedStatusReporter } from './feed-status-reporter.js';
import type { FrameStats } from './frame-stats.js';
import { routeFrame, type RoutedFrame } from './frame-router.js';
import type { SymbolFeed } from './symbol-feed.js';

export interface ConnectionKeeperOptions {
  /** the combined-stream URL of every symbol */
  url: string;
  /** the configured WebSocket host, as the status messages name it */
  wsUrl: string;
  symbols: string[];
  feeds: ReadonlyMap<string, SymbolFeed>;
  frames: FrameStats;
  breaker: CircuitBreaker;
  status: FeedStatusReporter;
  logger: Logger;
  now: () => number;
  pingIntervalMs: number;
  deadAfterMs: number;
  connectTimeoutMs: number;
  /** proactive reconnect before Binance's 24 h cut (make-before-break) */
  maxConnectionAgeMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
}

type CloseInfo = Parameters<ConstructorParameters<typeof WsConnection>[0]['onClose']>[1];

/**
 * Keeps one combined-stream WebSocket delivering: reconnects with backoff behind the circuit
 * breaker, and before the 24 h limit opens a successor that takes over once its depth stream
 * continues every synced book (make-before-break), so the rotation leaves no gap.
 */
export class ConnectionKeeper {
  /** the connection whose frames are primary, null while disconnected */
  private active: WsConnection | null = null;
  /** a rotation's successor: it delivers, and is promoted once its depth joins the books */
  private standby: WsConnection | null = null;
  /** opened, no frame yet */
  private connecting: WsConnection | null = null;
  private nextId = 1;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** connections opened so far (including rotations) */
  connectionsOpened = 0;
  /** an active connection lost */
  reconnects = 0;
  /** make-before-break rotations completed */
  rotations = 0;
  /** local time of the last frame from a delivering connection */
  lastDataAt: number;

  constructor(private readonly o: ConnectionKeeperOptions) {
    this.lastDataAt = o.now();
  }

  get activeConnectionId(): number | null {
    return this.active?.id ?? null;
  }

  get isDisconnected(): boolean {
    return this.active === null;
  }

  open(): void {
    if (this.stopped || this.connecting !== null) return;
    this.connectionsOpened += 1;
    this.connecting = new WsConnection({
      url: this.o.url, id: this.nextId++, now: this.o.now,
      onMessage: (conn, text) => this.onMessage(conn, text),
      onClose: (conn, info) => this.onClose(conn, info),
      pingIntervalMs: this.o.pingIntervalMs,
      deadAfterMs: this.o.deadAfterMs,
      connectTimeoutMs: this.o.connectTimeoutMs,
    });
  }

  /** The periodic check: open the successor of a connection near its age limit; reconnect when nothing is connected or pending. */
  supervise(t: number): void {
    const { active } = this;
    if (active !== null && this.standby === null && this.connecting === null && t - active.openedAt >= this.o.maxConnectionAgeMs) {
      this.o.logger.info({ connection: active.id }, 'connection near its 24 h limit: opening its successor');
      this.open();
    }
    if (this.active === null && this.connecting === null && this.reconnectTimer === null) this.scheduleReconnect();
  }

  /** No more reconnects; every connection closes. */
  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    for (const c of [this.active, this.standby, this.connecting]) c?.close();
  }

  private onMessage(conn: WsConnection, text: string): void {
    if (conn === this.connecting) {
      this.connecting = null;
      if (this.active === null) {
        this.active = conn;
        this.o.breaker.onSuccess();
        this.o.logger.info({ connection: conn.id, url: this.o.url }, 'Binance WebSocket live');
        this.o.status.set('live', 'websocket', `live on ${this.o.wsUrl} (${this.o.symbols.join(', ')})`);
      } else {
        this.standby = conn; // rotation: the new connection delivers; promote it once its depth joins
      }
    }
    if (conn !== this.active && conn !== this.standby) return;
    this.lastDataAt = this.o.now();
    const primary = conn === this.active;
    const routed = routeFrame(text, this.o.feeds, this.o.frames, primary);
    if (!primary && this.standby === conn && routed.kind === 'depth' && depthJoinsEveryBook(this.o.feeds, routed)) this.promoteStandby();
  }

  private promoteStandby(): void {
    const old = this.active;
    const promoted = this.takeOverFromStandby();
    if (promoted === null) return;
    this.o.logger.info({ from: old?.id, to: promoted.id }, 'connection rotated (make-before-break) without a gap');
    old?.close();
  }

  /** the standby becomes the active connection (a rotation completes) */
  private takeOverFromStandby(): WsConnection | null {
    const next = this.standby;
    if (next === null) return null;
    this.active = next;
    this.standby = null;
    this.rotations += 1;
    for (const f of this.o.feeds.values()) f.connectionPromoted();
    return next;
  }

  private onClose(conn: WsConnection, info: CloseInfo): void {
    if (conn === this.standby) {
      this.standby = null;
      return;
    }
    if (conn === this.connecting) this.connecting = null;
    const wasActive = conn === this.active;
    if (wasActive) {
      this.active = null;
      // the old connection ended during a rotation: the new one takes over at once
      if (this.takeOverFromStandby() !== null) return;
      for (const f of this.o.feeds.values()) f.connectionLost();
    }
    if (this.stopped) return;
    if (!wasActive && conn.messages > 0) return; // a rotated-out connection closing
    const { breaker, status } = this.o;
    breaker.onFailure();
    this.reconnects += wasActive ? 1 : 0;
    this.o.logger.warn({ connection: conn.id, code: info.code, reason: info.reason, error: info.error, wasOpen: info.wasOpen, failures: breaker.consecutiveFailures, circuit: breaker.state }, 'Binance WebSocket closed');
    // stale (REST down too) stays stale until REST answers again: a failed reconnect says nothing new
    const next = status.state === 'stale' ? 'stale' : breaker.state === 'closed' ? 'connecting' : 'degraded';
    status.set(next, status.transport, `WebSocket closed (${info.error ?? `code ${info.code}`}); reconnecting`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer !== null) return;
    const delay = Math.max(backoffDelay(this.o.breaker.consecutiveFailures, { baseMs: this.o.reconnectBaseMs, maxMs: this.o.reconnectMaxMs }), this.o.breaker.waitMs());
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.active === null) this.open();
    }, delay);
    this.reconnectTimer.unref();
  }
}

/** a successor's depth frame continues every synced book: it can take over without a gap */
function depthJoinsEveryBook(feeds: ReadonlyMap<string, SymbolFeed>, routed: RoutedFrame): boolean {
  return [...feeds.values()].every((f) => !f.bookSynced || f.sync.book.lastUpdateId >= (f.symbol === routed.symbol ? routed.finalUpdateId ?? 0 : 0));
}
