import type { BinanceRestClient } from '@btc-research/binance';
import type { MarketFeedStatusV1, Venue } from '@btc-research/contracts';
import type { Logger } from '@btc-research/platform';
import type { MarketPublisher } from '../market-publisher.js';
import type { CircuitBreaker, CircuitState } from './circuit-breaker.js';
import type { FrameStats } from './frame-stats.js';
import type { SymbolFeed } from './symbol-feed.js';

export type FeedState = MarketFeedStatusV1['state'];
export type FeedTransport = 'websocket' | 'rest' | 'cache';

export interface FeedStatusReporterOptions {
  source: MarketFeedStatusV1['source'];
  requestedSource: MarketFeedStatusV1['requestedSource'];
  venue: Venue;
  symbols: string[];
  /** the first message: what is being connected to */
  initialMessage: string;
  feeds: ReadonlyMap<string, SymbolFeed>;
  frames: FrameStats;
  rest: BinanceRestClient;
  breaker: CircuitBreaker;
  publisher: MarketPublisher;
  logger: Logger;
  now: () => number;
  /** WebSocket reconnects so far (the connection keeper counts them) */
  reconnects: () => number;
  /** a feed state must hold this long before a change to a worse one is published (ms) */
  stateDebounceMs: number;
}

/**
 * The Binance source's feed status on `md:feed`: the state, transport and message the connection
 * keeper and the REST fallback set, the counters of the feeds, and debounced publishing.
 */
export class FeedStatusReporter {
  private stateValue: FeedState = 'connecting';
  private transportValue: FeedTransport = 'websocket';
  private messageValue: string;
  private lastReportedCircuit: CircuitState = 'closed';
  private publishing: Promise<void> = Promise.resolve();
  private publishedState: FeedState | null = null;
  private publishedStateAt = 0;
  private debounceTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly o: FeedStatusReporterOptions) {
    this.messageValue = o.initialMessage;
  }

  get state(): FeedState {
    return this.stateValue;
  }

  get transport(): FeedTransport {
    return this.transportValue;
  }

  status(): MarketFeedStatusV1 {
    const { o } = this;
    const last = this.lastCandleClose();
    let clock = 0;
    let resyncs = 0;
    let backfilled = 0;
    const booksSynced: Record<string, boolean> = {};
    const unconfirmedMinutes: Record<string, number> = {};
    for (const f of o.feeds.values()) {
      unconfirmedMinutes[f.symbol] = f.unconfirmedMinutes;
      clock = Math.max(clock, f.clock);
      resyncs += f.counters.bookResyncs;
      backfilled += f.counters.backfilledCandles;
      booksSynced[f.symbol] = f.bookSynced;
    }
    return {
      source: o.source,
      requestedSource: o.requestedSource,
      isSimulated: false,
      state: this.stateValue,
      circuit: o.breaker.state,
      symbols: o.symbols,
      lastCandleCloseTime: last,
      lagMs: last === null ? null : Math.max(0, this.marketNow() - last),
      reconnects: o.reconnects(),
      message: this.messageValue,
      transport: this.transportValue,
      venue: o.venue,
      consecutiveFailures: o.breaker.consecutiveFailures,
      circuitRetryAt: o.breaker.retryAt,
      booksSynced,
      bookResyncs: resyncs,
      backfilledCandles: backfilled,
      unconfirmedMinutes,
      droppedFrames: { ...o.frames.dropped },
      rateLimited: o.rest.counters.rateLimited,
      lastEventTime: clock === 0 ? null : clock,
    };
  }

  /**
   * Publishes the status. State changes are debounced: a change to 'live' or 'stopped' goes out at
   * once; any other waits until the state last published has held stateDebounceMs, and then the
   * state of that moment goes out — so a feed that fails a try every second does not flip.
   */
  publish(): Promise<void> {
    const t = this.o.now();
    const state = this.stateValue;
    if (state !== this.publishedState && state !== 'live' && state !== 'stopped' && this.publishedState !== null && t - this.publishedStateAt < this.o.stateDebounceMs) {
      this.publishWhenHeld(this.o.stateDebounceMs - (t - this.publishedStateAt));
      return this.publishing;
    }
    const s = this.status();
    if (s.state !== this.publishedState) {
      this.publishedState = s.state;
      this.publishedStateAt = t;
    }
    this.publishing = this.publishing.then(() => this.o.publisher.feedStatus(s)).catch((err: unknown) => this.o.logger.warn({ err }, 'feed status publish failed'));
    return this.publishing;
  }

  /** Sets state, transport and message; publishes when any of them or the circuit changed. */
  set(state: FeedState, transport: FeedTransport, message: string): void {
    const changed = state !== this.stateValue || transport !== this.transportValue || message !== this.messageValue || this.o.breaker.state !== this.lastReportedCircuit;
    this.stateValue = state;
    this.transportValue = transport;
    this.messageValue = message;
    this.lastReportedCircuit = this.o.breaker.state;
    if (changed) void this.publish();
  }

  /** Publishes when the circuit moved on its own (open → half-open with time) since the last report. */
  reportCircuitChange(): void {
    if (this.o.breaker.state !== this.lastReportedCircuit) this.set(this.stateValue, this.transportValue, this.messageValue);
  }

  /** No more debounced publishes; `publishStopped` sends the last status. */
  stop(): void {
    this.stopped = true;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
  }

  async publishStopped(): Promise<void> {
    this.stateValue = 'stopped';
    await this.publish();
  }

  private publishWhenHeld(delayMs: number): void {
    if (this.debounceTimer !== null || this.stopped) return;
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      void this.publish();
    }, delayMs);
    this.debounceTimer.unref();
  }

  /** the close time of the oldest symbol's newest published candle: the whole feed is as late as its latest symbol */
  private lastCandleClose(): number | null {
    let min: number | null = null;
    for (const s of this.o.symbols) {
      const t = this.o.publisher.lastCandleOpenTime(s);
      if (t !== undefined) min = min === null ? t + 60_000 : Math.min(min, t + 60_000);
    }
    return min;
  }

  /** market time now: the newest exchange event time plus the local time since it arrived (grows in an outage) */
  private marketNow(): number {
    let t = 0;
    for (const f of this.o.feeds.values()) if (f.clock > 0) t = Math.max(t, f.clock + Math.max(0, this.o.now() - f.clockSeenAt));
    return t || this.o.now();
  }
}
