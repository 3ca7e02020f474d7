import { DepthBookSync, type BookTickerEvent, type DepthUpdateEvent, type KlineEvent, type RestKline, type TradeEvent } from '@btc-research/binance';
import type { Venue } from '@btc-research/contracts';
import { MinuteCandleBuilder, timeframeMs, type BuiltCandle, type DepthSnapshot } from '@btc-research/engine';
import type { Logger } from '@btc-research/platform';
import type { MarketPublisher } from '../market-publisher.js';

/** Where a feed gets what the stream cannot give: depth snapshots and candles for gaps. */
export interface MarketRestProvider {
  depth(symbol: string, limit?: number): Promise<DepthSnapshot>;
  klines(symbol: string, startTime: number, endTime: number, limit?: number): Promise<RestKline[]>;
}

export interface SymbolFeedOptions {
  symbol: string;
  venue: Venue;
  publisher: MarketPublisher;
  logger: Logger;
  /** null: no REST (replay of a recording) — snapshots come from installSnapshot, gaps cannot be backfilled */
  rest: MarketRestProvider | null;
  /** market time after a minute's close before it is finalised from trades when no closed kline came (ms) */
  graceMs?: number;
  /** minutes of history backfilled on a first start (nothing on the bus yet) */
  historyMinutes?: number;
  /** the oldest minute a restart backfills to, in minutes before now */
  maxBackfillMinutes?: number;
  depthLevels?: number;
  /** market-time interval between published depth snapshots (ms); 0 = never */
  depthPublishMs?: number;
  depthSnapshotLimit?: number;
  publishTrades?: boolean;
  publishBookTicker?: boolean;
  /** called when a publish fails (bus down): the feed keeps going */
  onPublishError?: (err: unknown) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface SymbolFeedCounters {
  trades: number;
  duplicateTrades: number;
  tradeIdGaps: number;
  klinesClosed: number;
  /** minutes where the closed kline and the trade-built candle differed (the kline won) */
  reconciledCandles: number;
  candlesFromKlines: number;
  candlesFromTrades: number;
  backfilledCandles: number;
  /** minutes neither the stream nor REST could provide (exchange halt, or no REST in replay) */
  unavailableMinutes: number;
  depthApplied: number;
  depthIgnored: number;
  bookResyncs: number;
  snapshots: number;
  bookTickers: number;
  staleBookTickers: number;
}

const MINUTE_MS = timeframeMs('1m');
const floorMinute = (t: number): number => Math.floor(t / MINUTE_MS) * MINUTE_MS;

/**
 * Everything for one symbol between parsed frames and the publisher:
 * - candles: built from trades (coverage is exact: a trade-id gap or a lost connection voids the
 *   minutes it touches, and a minute counts as covered only once a later trade continued the ids),
 *   reconciled with closed kline_1m events (the kline wins), published strictly
 *   in order; any minute neither source covers is fetched from REST /api/v3/klines before a later
 *   candle is published;
 * - the local order book by Binance's snapshot + diff procedure, resynced on any gap;
 * - trades and top of book, de-duplicated by exchange ids (two overlapping connections are safe).
 * Event time (the exchange's clock) drives candle closing, so replay at any speed behaves the same.
 */
export class SymbolFeed {
  readonly sync: DepthBookSync;
  readonly counters: SymbolFeedCounters = {
    trades: 0, duplicateTrades: 0, tradeIdGaps: 0, klinesClosed: 0, reconciledCandles: 0, candlesFromKlines: 0, candlesFromTrades: 0,
    backfilledCandles: 0, unavailableMinutes: 0, depthApplied: 0, depthIgnored: 0, bookResyncs: 0, snapshots: 0, bookTickers: 0, staleBookTickers: 0,
  };
  /** newest exchange event time seen */
  clock = 0;
  /** local time when `clock` last moved (market now ≈ clock + time since then, also while nothing arrives) */
  clockSeenAt = 0;
  private lastTradeId: number | undefined;
  /** time of the newest trade applied: every minute before its minute is complete (ids are contiguous) */
  private lastTradeTime = Number.NEGATIVE_INFINITY;
  private readonly joiningTrades = new Map<number, TradeEvent>();
  private builder: MinuteCandleBuilder | null = null;
  private coveredFrom = Number.POSITIVE_INFINITY;
  private readonly tradeCandles = new Map<number, BuiltCandle>();
  private readonly klines = new Map<number, KlineEvent>();
  private nextOpenTime: number | undefined;
  /** REST confirmed that the minutes before nextOpenTime have no candle at the venue (a halt) */
  private venueGapConfirmed = false;
  private lastBookTickerId = 0;
  private lastDepthPublishAt = 0;
  private work: Promise<void> = Promise.resolve();
  private flushQueued = false;
  private snapshotInFlight = false;
  private stopped = false;
  /** last error of candle finalisation (REST backfill failing), cleared on success */
  lastError: string | null = null;
  private readonly o: Required<Omit<SymbolFeedOptions, 'rest' | 'onPublishError'>> & Pick<SymbolFeedOptions, 'rest' | 'onPublishError'>;

  constructor(options: SymbolFeedOptions) {
    this.o = {
      graceMs: 5_000, historyMinutes: 0, maxBackfillMinutes: 7 * 1440, depthLevels: 20, depthPublishMs: 1_000, depthSnapshotLimit: 1000,
      publishTrades: true, publishBookTicker: true,
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
      now: Date.now,
      ...options,
    };
    this.sync = new DepthBookSync();
  }

  get symbol(): string {
    return this.o.symbol;
  }

  get bookSynced(): boolean {
    return this.sync.isSynced;
  }

  /** openTime of the next candle to publish */
  get nextCandleOpenTime(): number | undefined {
    return this.nextOpenTime;
  }

  /** Resolves when queued candle/snapshot work is done. */
  idle(): Promise<void> {
    return this.work;
  }

  stop(): void {
    this.stopped = true;
  }

  private publishFailed = (err: unknown): void => {
    if (this.o.onPublishError) this.o.onPublishError(err);
    else this.o.logger.error({ err }, 'publish failed');
  };

  private tick(time: number): void {
    if (this.nextOpenTime === undefined) this.initNextOpenTime(time);
    if (time > this.clock) {
      const crossed = floorMinute(time - this.o.graceMs) !== floorMinute(this.clock - this.o.graceMs);
      this.clock = time;
      this.clockSeenAt = this.o.now();
      if (crossed) this.scheduleFlush();
    }
  }

  /** Advances the market clock from outside the stream (REST server time while polling). */
  advanceClock(time: number): Promise<void> {
    this.tick(time);
    this.scheduleFlush();
    return this.work;
  }

  /**
   * The connection was lost: minutes it touched cannot be trusted from trades, and the local order
   * book no longer follows the exchange — it is dropped (booksSynced false) and rebuilt from a new
   * snapshot once diffs flow again, so a pre-outage book is never presented as current.
   */
  connectionLost(): void {
    this.builder = null;
    this.coveredFrom = Number.POSITIVE_INFINITY;
    if (this.sync.isSynced) {
      this.counters.bookResyncs += 1; // the diffs in between are lost: as a sequence gap
      this.o.logger.warn({ symbol: this.o.symbol, lastUpdateId: this.sync.book.lastUpdateId }, 'connection lost: order book marked unsynced until it is rebuilt');
    }
    this.sync.desync();
  }

  /**
   * A trade. `primary` is false for a connection that is joining (24 h rotation overlap): a trade of
   * its that does not continue the id sequence waits until the older connection has delivered the
   * trades before it, so the overlap neither loses nor reorders trades.
   */
  onTrade(ev: TradeEvent, primary = true): Promise<void> | undefined {
    if (this.lastTradeId !== undefined && ev.tradeId <= this.lastTradeId) {
      this.counters.duplicateTrades += 1;
      return undefined;
    }
    if (!primary && this.lastTradeId !== undefined && ev.tradeId !== this.lastTradeId + 1) {
      if (this.joiningTrades.size < 50_000) this.joiningTrades.set(ev.tradeId, ev);
      return undefined;
    }
    const p = this.applyTrade(ev);
    // trades the joining connection delivered early, now in sequence
    while (this.joiningTrades.size > 0 && this.lastTradeId !== undefined) {
      const next = this.joiningTrades.get(this.lastTradeId + 1);
      if (next === undefined) break;
      this.joiningTrades.delete(next.tradeId);
      this.applyTrade(next);
    }
    return p;
  }

  /** The joining connection became the only one: whatever it delivered early is applied in id order. */
  connectionPromoted(): void {
    const rest = [...this.joiningTrades.values()].sort((a, b) => a.tradeId - b.tradeId);
    this.joiningTrades.clear();
    for (const t of rest) if (this.lastTradeId === undefined || t.tradeId > this.lastTradeId) this.applyTrade(t);
  }

  private applyTrade(ev: TradeEvent): Promise<void> | undefined {
    const contiguous = this.lastTradeId !== undefined && ev.tradeId === this.lastTradeId + 1;
    if (this.lastTradeId !== undefined && !contiguous) this.counters.tradeIdGaps += 1;
    this.lastTradeId = ev.tradeId;
    this.lastTradeTime = Math.max(this.lastTradeTime, ev.time);
    this.counters.trades += 1;
    const minute = floorMinute(ev.time);
    if (this.builder === null || !contiguous) {
      // first trade, a lost connection or missed trades: the minute in progress is incomplete
      this.builder = new MinuteCandleBuilder();
      this.coveredFrom = minute + MINUTE_MS;
      for (const k of this.tradeCandles.keys()) if (k >= minute) this.tradeCandles.delete(k);
    }
    this.storeTradeCandles(this.builder.addTrade({ price: Number(ev.price), quantity: Number(ev.qty), time: ev.time }));
    this.tick(ev.eventTime);
    if (!this.o.publishTrades) return undefined;
    const p = this.o.publisher.trade(this.o.venue, this.o.symbol, { id: ev.tradeId, price: ev.price, quantity: ev.qty, time: ev.time, isBuyerMaker: ev.isBuyerMaker });
    p.catch(this.publishFailed);
    return p;
  }

  private storeTradeCandles(candles: BuiltCandle[]): void {
    for (const c of candles) if (c.openTime >= this.coveredFrom && (this.nextOpenTime === undefined || c.openTime >= this.nextOpenTime)) this.tradeCandles.set(c.openTime, c);
  }

  onKline(ev: KlineEvent): void {
    if (ev.interval !== '1m') return;
    if (ev.closed) {
      this.counters.klinesClosed += 1;
      if (this.nextOpenTime === undefined || ev.openTime >= this.nextOpenTime) this.klines.set(ev.openTime, ev);
      this.scheduleFlush();
    }
    this.tick(ev.eventTime);
  }

  onBookTicker(ev: BookTickerEvent): Promise<void> | undefined {
    if (ev.updateId <= this.lastBookTickerId) {
      this.counters.staleBookTickers += 1;
      return undefined;
    }
    this.lastBookTickerId = ev.updateId;
    this.counters.bookTickers += 1;
    if (!this.o.publishBookTicker) return undefined;
    const p = this.o.publisher.bookTicker(this.o.venue, this.o.symbol, { updateId: ev.updateId, bidPrice: ev.bidPrice, bidQty: ev.bidQty, askPrice: ev.askPrice, askQty: ev.askQty, time: this.clock || this.o.now() });
    p.catch(this.publishFailed);
    return p;
  }

  /**
   * A depth diff. `primary` is false for a connection that is joining (24 h rotation overlap): its
   * diffs are applied only where they continue the book, never treated as a gap.
   */
  onDepth(ev: DepthUpdateEvent, primary = true): Promise<void> | undefined {
    this.tick(ev.eventTime);
    if (!primary && this.sync.isSynced && ev.firstUpdateId > this.sync.book.lastUpdateId + 1) {
      this.counters.depthIgnored += 1;
      return undefined;
    }
    const r = this.sync.onDiff(ev);
    if (r.action === 'applied') {
      this.counters.depthApplied += 1;
      return this.maybePublishDepth(ev.eventTime);
    }
    if (r.action === 'ignored') this.counters.depthIgnored += 1;
    else if (r.action === 'gap') {
      this.counters.bookResyncs += 1;
      this.o.logger.warn({ symbol: this.o.symbol, expected: r.expected, got: r.got }, 'depth sequence gap: order book dropped, resyncing from a REST snapshot');
    }
    if (!this.sync.isSynced) this.requestSnapshot();
    return undefined;
  }

  private maybePublishDepth(time: number): Promise<void> | undefined {
    if (this.o.depthPublishMs <= 0 || time - this.lastDepthPublishAt < this.o.depthPublishMs) return undefined;
    this.lastDepthPublishAt = time;
    const top = this.sync.book.top(this.o.depthLevels);
    const p = this.o.publisher.bookDepth(this.o.venue, this.o.symbol, {
      lastUpdateId: this.sync.book.lastUpdateId,
      bids: top.bids.map((l) => [l.priceText, l.qty] as const),
      asks: top.asks.map((l) => [l.priceText, l.qty] as const),
      time,
    });
    p.catch(this.publishFailed);
    return p;
  }

  /** Installs a depth snapshot (from REST, or from a recording). Returns false when it is too old to bridge. */
  installSnapshot(snapshot: DepthSnapshot): boolean {
    this.counters.snapshots += 1;
    const r = this.sync.onSnapshot(snapshot);
    if (r.ok) {
      this.o.logger.info({ symbol: this.o.symbol, lastUpdateId: snapshot.lastUpdateId, replayed: r.applied }, 'order book synced');
      return true;
    }
    this.sync.desync();
    return false;
  }

  private requestSnapshot(): void {
    if (this.o.rest === null || this.snapshotInFlight || this.stopped) return;
    this.snapshotInFlight = true;
    const rest = this.o.rest;
    const run = async () => {
      for (let attempt = 1; !this.stopped && !this.sync.isSynced; attempt++) {
        // Binance: buffer first, then snapshot, so the snapshot can bridge to the buffered diffs
        if (this.sync.bufferedCount === 0) return;
        try {
          const snap = await rest.depth(this.o.symbol, this.o.depthSnapshotLimit);
          if (this.stopped) return;
          if (this.installSnapshot(snap)) return;
          this.o.logger.warn({ symbol: this.o.symbol, lastUpdateId: snap.lastUpdateId, attempt }, 'depth snapshot older than the buffered diffs: fetching another');
        } catch (err) {
          this.o.logger.warn({ symbol: this.o.symbol, err: (err as Error).message, attempt }, 'depth snapshot request failed');
        }
        await this.o.sleep(Math.min(5_000, 100 * attempt));
      }
    };
    void run().finally(() => {
      this.snapshotInFlight = false;
      if (!this.sync.isSynced && this.sync.bufferedCount > 0 && !this.stopped) this.requestSnapshot();
    });
  }

  scheduleFlush(): void {
    if (this.flushQueued || this.stopped) return;
    this.flushQueued = true;
    this.work = this.work.then(async () => {
      this.flushQueued = false;
      try {
        await this.flush();
        this.lastError = null;
      } catch (err) {
        this.lastError = (err as Error).message;
        this.o.logger.warn({ symbol: this.o.symbol, err: this.lastError }, 'candle finalisation paused (backfill failed); retried on the next tick');
      }
    });
  }

  /** The first minute to publish: after the last one on the bus (restart), else the first event's minute less the history. */
  private initNextOpenTime(firstEventTime: number): void {
    const last = this.o.publisher.lastCandleOpenTime(this.o.symbol);
    const floor = floorMinute(firstEventTime) - this.o.maxBackfillMinutes * MINUTE_MS;
    this.nextOpenTime = last !== undefined ? Math.max(last + MINUTE_MS, floor) : floorMinute(firstEventTime) - this.o.historyMinutes * MINUTE_MS;
  }

  /** Publishes every finalisable minute in order, backfilling the ones no stream covered. */
  private async flush(): Promise<void> {
    if (this.clock === 0) return;
    const horizon = this.clock - this.o.graceMs;
    if (this.nextOpenTime === undefined) this.initNextOpenTime(this.clock);
    // Trades close a minute only once a trade of a later minute continued the id sequence: a minute
    // after the newest trade may have lost its trades (frames missing while other streams move the
    // clock), so it waits for its closed kline or comes from REST — never a flat candle made up here.
    if (this.builder !== null) this.storeTradeCandles(this.builder.closeUpTo(Math.min(horizon, floorMinute(this.lastTradeTime))));
    while (!this.stopped) {
      const m: number = this.nextOpenTime ?? 0;
      const k = this.klines.get(m);
      if (k !== undefined) {
        const t = this.tradeCandles.get(m);
        if (t !== undefined && (Number(k.close) !== t.close || Number(k.high) !== t.high || Number(k.low) !== t.low || Number(k.open) !== t.open)) this.counters.reconciledCandles += 1;
        await this.publishCandle({ openTime: m, closeTime: m + MINUTE_MS, open: k.open, high: k.high, low: k.low, close: k.close, volume: k.volume, synthetic: false }, 'live');
        this.counters.candlesFromKlines += 1;
        continue;
      }
      if (m + MINUTE_MS > horizon) break;
      const t = this.tradeCandles.get(m);
      if (t !== undefined) {
        await this.publishCandle(t, 'live');
        this.counters.candlesFromTrades += 1;
        continue;
      }
      // a run of minutes nothing covered: fetch them before anything later is published
      let end = m + MINUTE_MS;
      while (end + MINUTE_MS <= horizon && !this.klines.has(end) && !this.tradeCandles.has(end)) end += MINUTE_MS;
      await this.backfill(m, end);
    }
  }

  private async publishCandle(c: { openTime: number; closeTime: number; open: number | string; high: number | string; low: number | string; close: number | string; volume: number | string; synthetic?: boolean }, origin: 'live' | 'backfill' | 'replay'): Promise<void> {
    this.klines.delete(c.openTime);
    this.tradeCandles.delete(c.openTime);
    this.nextOpenTime = c.openTime + MINUTE_MS;
    const confirmed = this.venueGapConfirmed;
    this.venueGapConfirmed = false;
    await this.o.publisher.candle(this.o.venue, this.o.symbol, confirmed ? { ...c, venueGapConfirmedBy: 'rest' } : c, origin);
  }

  private async backfill(from: number, to: number): Promise<void> {
    if (this.o.rest === null) {
      this.counters.unavailableMinutes += (to - from) / MINUTE_MS;
      this.o.logger.warn({ symbol: this.o.symbol, from: new Date(from).toISOString(), minutes: (to - from) / MINUTE_MS }, 'minutes not covered by the stream and no REST to backfill them: skipped');
      this.nextOpenTime = to;
      return;
    }
    let cursor = from;
    while (cursor < to && !this.stopped) {
      const rows = await this.o.rest.klines(this.o.symbol, cursor, to - 1, 1000);
      const usable = rows.filter((r) => r.openTime >= cursor && r.openTime < to).sort((a, b) => a.openTime - b.openTime);
      for (const r of usable) {
        if (r.openTime > cursor) {
          this.counters.unavailableMinutes += (r.openTime - cursor) / MINUTE_MS;
          this.o.logger.warn({ symbol: this.o.symbol, from: new Date(cursor).toISOString(), minutes: (r.openTime - cursor) / MINUTE_MS }, 'the exchange has no candles for these minutes (halt?): not published');
          this.venueGapConfirmed = true;
        }
        await this.publishCandle({ openTime: r.openTime, closeTime: r.openTime + MINUTE_MS, open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume, synthetic: false }, 'backfill');
        this.counters.backfilledCandles += 1;
        cursor = r.openTime + MINUTE_MS;
      }
      if (usable.length === 0 || rows.length < 1000) {
        if (cursor < to) {
          this.counters.unavailableMinutes += (to - cursor) / MINUTE_MS;
          this.o.logger.warn({ symbol: this.o.symbol, from: new Date(cursor).toISOString(), minutes: (to - cursor) / MINUTE_MS }, 'the exchange returned no candles for these minutes: not published');
          this.venueGapConfirmed = true;
        }
        this.nextOpenTime = to;
        return;
      }
    }
  }
}
