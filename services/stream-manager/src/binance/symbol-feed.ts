import { DepthBookSync, type BookTickerEvent, type DepthUpdateEvent, type KlineEvent, type RestKline, type TradeEvent } from '@btc-research/binance';
import type { Venue } from '@btc-research/contracts';
import { MinuteCandleBuilder, type BuiltCandle, type DepthSnapshot } from '@btc-research/engine';
import type { Logger } from '@btc-research/platform';
import type { MarketPublisher } from '../market-publisher.js';

import { MAX_KLINES_PER_REQUEST, RestConfirmer, type MarketRestProvider } from './rest-confirmer.js';
import { klineValues, MINUTE_MS, UnconfirmedMinutes, type MinuteValues } from './unconfirmed-minutes.js';

export type { MarketRestProvider } from './rest-confirmer.js';

export interface SymbolFeedOptions {
  symbol: string;
  venue: Venue;
  publisher: MarketPublisher;
  logger: Logger;
  /** null: no REST (replay of a recording) — snapshots come from installSnapshot, gaps cannot be backfilled */
  rest: MarketRestProvider | null;
  /** market time after a minute's close before it is finalised from trades when no closed kline came (ms) */
  graceMs?: number;
  /**
   * market time after a minute's close (beyond graceMs) before a minute neither the stream nor REST
   * could confirm is published provisional, with what the stream saw of it (ms). Default 20 000.
   */
  provisionalAfterMs?: number;
  /** market time between REST attempts to confirm minutes after one failed (ms). Default 10 000. */
  restRetryMs?: number;
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
  /** minutes published provisional (or held back: nothing seen) because nothing confirmed them in time */
  provisionalCandles: number;
  /** corrections published (confirmed values of provisional minutes), and how many of them changed */
  corrections: number;
  changedCorrections: number;
  depthApplied: number;
  depthIgnored: number;
  bookResyncs: number;
  snapshots: number;
  bookTickers: number;
  staleBookTickers: number;
}

const floorMinute = (t: number): number => Math.floor(t / MINUTE_MS) * MINUTE_MS;

/** A trade-built candle of a minute whose trades were not all seen (a trade-id gap or a lost connection). */
const merged = (earlier: BuiltCandle | undefined, later: BuiltCandle): BuiltCandle =>
  earlier === undefined
    ? later
    : { openTime: later.openTime, closeTime: later.closeTime, open: earlier.open, high: Math.max(earlier.high, later.high), low: Math.min(earlier.low, later.low), close: later.close, volume: earlier.volume + later.volume, synthetic: false };

/**
 * Everything for one symbol between parsed frames and the publisher:
 * - candles: built from trades (coverage is exact: a trade-id gap or a lost connection voids the
 *   minutes it touches, and a minute counts as covered only once a later trade continued the ids),
 *   reconciled with closed kline_1m events (the kline wins), published strictly
 *   in order; any minute neither source covers is asked from REST /api/v3/klines (RestConfirmer, in
 *   the background) before a later candle is published; when REST has not confirmed it within
 *   provisionalAfterMs (failing, or still retrying on 429/5xx), it is published provisional with what
 *   the stream saw of it, later minutes follow provisional too, and the confirmed values go out as
 *   corrections, in minute order, once the exchange confirms them (UnconfirmedMinutes);
 * - the local order book by Binance's snapshot + diff procedure, resynced on any gap;
 * - trades and top of book, de-duplicated by exchange ids (two overlapping connections are safe).
 * Event time (the exchange's clock) drives candle closing, so replay at any speed behaves the same.
 */
export class SymbolFeed {
  readonly sync: DepthBookSync;
  readonly counters: SymbolFeedCounters = {
    trades: 0, duplicateTrades: 0, tradeIdGaps: 0, klinesClosed: 0, reconciledCandles: 0, candlesFromKlines: 0, candlesFromTrades: 0,
    backfilledCandles: 0, unavailableMinutes: 0, provisionalCandles: 0, corrections: 0, changedCorrections: 0, depthApplied: 0, depthIgnored: 0, bookResyncs: 0, snapshots: 0, bookTickers: 0, staleBookTickers: 0,
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
  /** what the stream saw of minutes whose trades were not all seen (the values a provisional candle shows) */
  private readonly partialCandles = new Map<number, BuiltCandle>();
  /** minutes published provisional (or held back), oldest first: corrected in this order */
  private readonly unconfirmed: UnconfirmedMinutes;
  /** REST klines for the minutes only the exchange can confirm, asked in the background (null: no REST) */
  private readonly restConfirmer: RestConfirmer | null;
  /** what REST answered for minutes not published yet (null: the venue has no candle for it) */
  private readonly restAnswers = new Map<number, MinuteValues | null>();
  /** market time at which a flush is due although no minute boundary passes (provisional deadline, REST retry) */
  private wakeAt = Number.POSITIVE_INFINITY;
  private readonly klines = new Map<number, KlineEvent>();
  private nextOpenTime: number | undefined;
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
      graceMs: 5_000, provisionalAfterMs: 20_000, restRetryMs: 10_000, historyMinutes: 0, maxBackfillMinutes: 7 * 1440, depthLevels: 20, depthPublishMs: 1_000, depthSnapshotLimit: 1000,
      publishTrades: true, publishBookTicker: true,
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
      now: Date.now,
      ...options,
    };
    this.sync = new DepthBookSync();
    this.unconfirmed = new UnconfirmedMinutes({ symbol: this.o.symbol, venue: this.o.venue, publisher: this.o.publisher, logger: this.o.logger, counters: this.counters });
    this.restConfirmer = this.o.rest === null ? null : new RestConfirmer({
      symbol: this.o.symbol, rest: this.o.rest, logger: this.o.logger, clock: () => this.clock, retryMs: this.o.restRetryMs,
      onAnswer: (from, to, rows) => this.restAnswered(from, to, rows),
      onFailure: (err) => this.restFailed(err),
    });
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

  /** openTime of the next minute to confirm (the first unconfirmed one, else the next to publish) */
  get nextConfirmedOpenTime(): number | undefined {
    return this.unconfirmed.firstOpenTime ?? this.nextOpenTime;
  }

  /** minutes published provisional (or held back) and not confirmed yet */
  get unconfirmedMinutes(): number {
    return this.unconfirmed.length;
  }

  /** Resolves when queued candle work is done, including a REST confirmation in flight and what its answer queued. */
  async idle(): Promise<void> {
    for (;;) {
      const work = this.work;
      await work;
      await this.restConfirmer?.settled();
      if (work === this.work && !(this.restConfirmer?.busy ?? false)) return;
    }
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
      if (crossed || time >= this.wakeAt) this.scheduleFlush();
    }
  }

  /** Advances the market clock from outside the stream (REST server time while polling); resolves when the candle work it queued is done (not a REST call it started). */
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
    // the minute in progress lost its trades: what was seen of it is only good for a provisional candle
    if (this.builder !== null && this.lastTradeTime > Number.NEGATIVE_INFINITY) this.keepPartial(this.builder.closeUpTo(floorMinute(this.lastTradeTime) + MINUTE_MS));
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
      if (this.builder !== null) this.keepPartial(this.builder.closeUpTo(minute + MINUTE_MS));
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
    for (const c of candles) {
      if (this.nextOpenTime !== undefined && c.openTime < this.nextOpenTime) continue;
      if (c.openTime >= this.coveredFrom) this.tradeCandles.set(c.openTime, c);
      else if (!c.synthetic) this.partialCandles.set(c.openTime, merged(this.partialCandles.get(c.openTime), c));
    }
  }

  /** Trade-built candles of minutes some of whose trades were missed: kept only for provisional candles. */
  private keepPartial(candles: BuiltCandle[]): void {
    for (const c of candles) {
      if (c.synthetic || (this.nextOpenTime !== undefined && c.openTime < this.nextOpenTime)) continue;
      // the minute's earlier candle, if any, was covered until the trades went missing: it is partial now
      const covered = this.tradeCandles.get(c.openTime);
      this.tradeCandles.delete(c.openTime);
      this.partialCandles.set(c.openTime, merged(this.partialCandles.get(c.openTime) ?? covered, c));
    }
  }

  onKline(ev: KlineEvent): void {
    if (ev.interval !== '1m') return;
    if (ev.closed) {
      this.counters.klinesClosed += 1;
      // a kline of a minute published provisional confirms it
      const from = this.nextConfirmedOpenTime;
      if (from === undefined || ev.openTime >= from) this.klines.set(ev.openTime, ev);
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
        if (!(this.restConfirmer?.failing ?? false)) this.lastError = null;
      } catch (err) {
        this.lastError = (err as Error).message;
        this.o.logger.warn({ symbol: this.o.symbol, err: this.lastError }, 'candle finalisation paused (publish failed); retried on the next tick');
      }
    });
  }

  /** The first minute to publish: after the last one on the bus (restart), else the first event's minute less the history. */
  private initNextOpenTime(firstEventTime: number): void {
    const last = this.o.publisher.lastCandleOpenTime(this.o.symbol);
    const floor = floorMinute(firstEventTime) - this.o.maxBackfillMinutes * MINUTE_MS;
    this.nextOpenTime = last !== undefined ? Math.max(last + MINUTE_MS, floor) : floorMinute(firstEventTime) - this.o.historyMinutes * MINUTE_MS;
    // a restart: minutes the bus has provisional (or not at all) after the last confirmed one are confirmed first
    for (const u of this.o.publisher.takeUnconfirmedOnBus(this.o.symbol)) if (u.openTime >= floor) this.unconfirmed.restore(u.openTime, u.shown);
  }

  /**
   * Publishes every finalisable minute in order; a minute no stream covered is asked from REST in the
   * background and goes out provisional when the answer does not come in time (the bound runs from its
   * close, whatever the call is doing); the corrections follow in minute order. Never awaits REST.
   */
  private async flush(): Promise<void> {
    if (this.clock === 0) return;
    const horizon = this.clock - this.o.graceMs;
    if (this.nextOpenTime === undefined) this.initNextOpenTime(this.clock);
    this.wakeAt = Number.POSITIVE_INFINITY;
    // Trades close a minute only once a trade of a later minute continued the id sequence: a minute
    // after the newest trade may have lost its trades (frames missing while other streams move the
    // clock), so it waits for its closed kline or comes from REST — never a flat candle made up here.
    if (this.builder !== null) this.storeTradeCandles(this.builder.closeUpTo(Math.min(horizon, floorMinute(this.lastTradeTime))));
    await this.confirmUnconfirmed();
    while (!this.stopped) {
      const m: number = this.nextOpenTime ?? 0;
      const k = this.klines.get(m);
      if (k !== undefined) {
        const t = this.tradeCandles.get(m);
        if (t !== undefined && (Number(k.close) !== t.close || Number(k.high) !== t.high || Number(k.low) !== t.low || Number(k.open) !== t.open)) this.counters.reconciledCandles += 1;
        await this.publishConfirmed(klineValues(k), 'live', 'kline');
        this.counters.candlesFromKlines += 1;
        continue;
      }
      if (m + MINUTE_MS > horizon) break;
      if (!(await this.publishCovered(m, horizon))) break;
    }
    // after a failed REST call: the flush that asks again
    if (this.restConfirmer !== null && !this.restConfirmer.busy && this.restConfirmer.retryAt > this.clock) this.wakeAt = Math.min(this.wakeAt, this.restConfirmer.retryAt);
  }

  /**
   * A closed minute without its closed kline: from complete trades, else from what REST answered,
   * else asked from REST (in the background) and published provisional once its bound passed.
   * Returns false when it has to wait (the loop stops there).
   */
  private async publishCovered(m: number, horizon: number): Promise<boolean> {
    const t = this.tradeCandles.get(m);
    if (t !== undefined) {
      await this.publishConfirmed(t, 'live', 'trades');
      this.counters.candlesFromTrades += 1;
      return true;
    }
    const answered = this.restAnswers.get(m);
    if (answered === null) {
      this.noCandleAtVenue(m);
      return true;
    }
    if (answered !== undefined) {
      await this.publishConfirmed(answered, 'backfill', 'rest');
      this.counters.backfilledCandles += 1;
      return true;
    }
    // a run of minutes nothing covered: asked before anything later is published
    const end = this.uncoveredRunEnd(m, horizon);
    if (this.restConfirmer === null && this.unconfirmed.length === 0) {
      this.skipUnavailable(m, end);
      return true;
    }
    if (this.unconfirmed.length === 0) this.restConfirmer?.ask(m, end);
    // REST has not confirmed it: after the bound, what the stream saw of it goes out provisional
    const due = Math.max(m + MINUTE_MS + this.o.graceMs, this.restConfirmer?.askedAt(m) ?? Number.NEGATIVE_INFINITY) + this.o.provisionalAfterMs;
    if (this.clock < due) {
      this.wakeAt = Math.min(this.wakeAt, due);
      return false;
    }
    await this.publishProvisional(m);
    return true;
  }

  /** the end of the run of closed minutes from `m` that neither a kline nor complete trades cover */
  private uncoveredRunEnd(m: number, horizon: number): number {
    let end = m + MINUTE_MS;
    while (end + MINUTE_MS <= horizon && end - m < MAX_KLINES_PER_REQUEST * MINUTE_MS && !this.klines.has(end) && !this.tradeCandles.has(end) && !this.restAnswers.has(end)) end += MINUTE_MS;
    return end;
  }

  /** REST answered: the unconfirmed minutes it covers are confirmed (or known absent), later ones kept for the flush. */
  private restAnswered(from: number, to: number, rows: ReadonlyMap<number, RestKline>): void {
    if (this.stopped) return;
    this.unconfirmed.applyRest(from, to, rows);
    for (let m = Math.max(from, this.nextOpenTime ?? from); m < to; m += MINUTE_MS) {
      const r = rows.get(m);
      this.restAnswers.set(m, r === undefined ? null : klineValues(r));
    }
    this.scheduleFlush();
  }

  /** REST failed (lastError shows it until one succeeds): minutes past their bound go out provisional now. */
  private restFailed(err: Error): void {
    this.lastError = err.message;
    this.scheduleFlush();
  }

  /** REST answered without a candle for the minute (a halt): nothing published, the next candle says so. */
  private noCandleAtVenue(m: number): void {
    if (this.unconfirmed.length > 0) {
      this.advancePast(m);
      this.unconfirmed.holdAbsent(m);
      return;
    }
    if (!this.unconfirmed.venueGapPending) this.o.logger.warn({ symbol: this.o.symbol, from: new Date(m).toISOString() }, 'the exchange has no candles from this minute (halt?): not published');
    this.counters.unavailableMinutes += 1;
    this.unconfirmed.markVenueGap();
    this.advancePast(m);
  }

  /** No REST (a replay): minutes the stream did not cover cannot be backfilled and are skipped. */
  private skipUnavailable(from: number, to: number): void {
    this.counters.unavailableMinutes += (to - from) / MINUTE_MS;
    this.o.logger.warn({ symbol: this.o.symbol, from: new Date(from).toISOString(), minutes: (to - from) / MINUTE_MS }, 'minutes not covered by the stream and no REST to backfill them: skipped');
    this.nextOpenTime = to;
  }

  /**
   * A minute the exchange confirmed: published as the candle when no earlier minute is unconfirmed,
   * else published provisional (strategies wait for the earlier ones) with its confirmation kept
   * for the correction that follows them.
   */
  private async publishConfirmed(values: MinuteValues, origin: 'live' | 'backfill', by: 'kline' | 'rest' | 'trades'): Promise<void> {
    if (this.unconfirmed.length === 0) {
      await this.publishCandle({ ...values, synthetic: false }, origin);
      return;
    }
    this.advancePast(values.openTime);
    await this.unconfirmed.holdConfirmed(values, origin, by);
  }

  /** A minute nothing confirmed in time: what the stream saw of it, provisional; nothing at all when nothing was seen. */
  private async publishProvisional(m: number): Promise<void> {
    const seen = this.partialCandles.get(m);
    const shown: MinuteValues | null = seen === undefined ? null : { openTime: m, closeTime: m + MINUTE_MS, open: seen.open, high: seen.high, low: seen.low, close: seen.close, volume: seen.volume };
    this.advancePast(m);
    await this.unconfirmed.holdProvisional(m, shown);
  }

  /**
   * Publishes the corrections of the unconfirmed minutes, oldest first, as far as they are
   * confirmed: a late closed kline, the trades, or REST for the ones nothing else confirmed (asked
   * in the background for the run of them; the answer schedules the next flush).
   */
  private async confirmUnconfirmed(): Promise<void> {
    const run = await this.unconfirmed.correct(this.klines, () => this.stopped);
    if (run !== null) this.restConfirmer?.ask(run.from, run.to);
  }

  /** The minute is published (or held back): the next one is after it; what was kept for it is dropped. */
  private advancePast(openTime: number): void {
    this.tradeCandles.delete(openTime);
    this.partialCandles.delete(openTime);
    this.restAnswers.delete(openTime);
    if (this.unconfirmed.length === 0) this.klines.delete(openTime);
    this.nextOpenTime = openTime + MINUTE_MS;
  }

  private async publishCandle(c: { openTime: number; closeTime: number; open: number | string; high: number | string; low: number | string; close: number | string; volume: number | string; synthetic?: boolean }, origin: 'live' | 'backfill' | 'replay'): Promise<void> {
    this.advancePast(c.openTime);
    const confirmed = this.unconfirmed.takeVenueGap();
    await this.o.publisher.candle(this.o.venue, this.o.symbol, confirmed ? { ...c, venueGapConfirmedBy: 'rest' } : c, origin);
  }
}
