import { ConsumerGroups, isCandleStream, isMessage, MessageType, StreamRetention, Streams, makeEnvelope, type CandleValues, type Envelope, type MarketCandleCorrectedV1, type MarketFeedStatusV1, type Venue } from '@btc-research/contracts';
import { canonicalDecimal } from '@btc-research/engine';
import type { EnvelopeWriter, MessageBus } from '@btc-research/platform';

type Num = number | string;

/** callers learn that the bus stored the entry, not its id */
const acknowledged = (): void => undefined;

/**
 * The paper trader's group on a symbol's candle stream exists before the stream's first entry, so
 * a writer that trims by what groups have read (Redis) keeps every candle for a paper trader that
 * starts later: its market log refuses a hole in the candle series. Trades and books are trimmed at
 * their maxLen until a paper trader reads them (a group left unread would keep them forever).
 */
function readersOf(stream: string): readonly string[] {
  return isCandleStream(stream) ? [ConsumerGroups.paperTrader] : [];
}

export interface PublishedCandle {
  openTime: number;
  closeTime: number;
  open: Num;
  high: Num;
  low: Num;
  close: Num;
  volume: Num;
  synthetic?: boolean;
  /** the minutes since the previous candle have none at the venue, as the source confirmed (see venueGapBefore) */
  venueGapConfirmedBy?: 'rest' | 'file';
  /** not confirmed by the exchange yet (or an earlier minute is not): a correction follows */
  provisional?: boolean;
}

/** A minute published provisional (values) or held back (null: nothing of it was seen), not yet corrected. */
export interface UnconfirmedOnBus {
  openTime: number;
  shown: CandleValues | null;
}

/** How many of the newest candle-stream entries a restart reads to find the minutes still unconfirmed. */
const SEED_READ = 2_000;

export type CandleOrigin = 'live' | 'backfill' | 'simulated' | 'replay';

/** A 1m candle's identity and values as every candle message carries them (exact decimal text). */
function minuteValues(venue: Venue, symbol: string, c: Pick<PublishedCandle, 'openTime' | 'closeTime' | 'open' | 'high' | 'low' | 'close' | 'volume'>) {
  return {
    venue,
    symbol,
    timeframe: '1m' as const,
    openTime: c.openTime,
    closeTime: c.closeTime,
    open: canonicalDecimal(c.open),
    high: canonicalDecimal(c.high),
    low: canonicalDecimal(c.low),
    close: canonicalDecimal(c.close),
    volume: canonicalDecimal(c.volume),
  };
}

export interface PublisherCounters {
  candles: number;
  trades: number;
  bookTickers: number;
  depth: number;
  /** candles refused because their minute was already published (duplicates) or older */
  duplicateCandlesDropped: number;
  provisionalCandles: number;
  corrections: number;
}

/**
 * The single publishing path for every source: closed 1m candles (deterministic ids; a candle for a
 * minute at or before the last one published for the symbol is refused, so consumers never see a
 * duplicate or a step back), trades, top of book, depth and feed status. Every message goes through
 * the one writer (the bus's EnvelopeWriter: envelopes are validated once, by makeEnvelope).
 */
export class MarketPublisher {
  /** newest minute published per symbol, provisional or confirmed */
  private readonly lastCandleOpen = new Map<string, number>();
  /** newest minute confirmed per symbol (a candle not provisional, or a correction): what strategies have */
  private readonly lastConfirmedOpen = new Map<string, number>();
  private readonly unconfirmedSeed = new Map<string, UnconfirmedOnBus[]>();
  readonly counters: PublisherCounters = { candles: 0, trades: 0, bookTickers: 0, depth: 0, duplicateCandlesDropped: 0, provisionalCandles: 0, corrections: 0 };

  /**
   * @param bus read for the newest candle on start (seedFromBus)
   * @param writer where every message goes; the publisher owns it (close() closes it)
   */
  constructor(
    private readonly bus: MessageBus,
    private readonly source: string,
    private readonly now: () => number,
    private readonly writer: EnvelopeWriter = bus.openWriter({ readBy: readersOf }),
  ) {}

  /** Waits for the appends in flight and releases the writer (the bus itself is closed by its owner). */
  async close(): Promise<void> {
    await this.writer.close();
  }

  /** openTime of the newest candle published (or seeded) for the symbol */
  lastCandleOpenTime(symbol: string): number | undefined {
    return this.lastCandleOpen.get(symbol);
  }

  /** openTime of the newest candle confirmed (or seeded) for the symbol: the last one strategies see */
  lastConfirmedOpenTime(symbol: string): number | undefined {
    return this.lastConfirmedOpen.get(symbol);
  }

  /**
   * The minutes after the last confirmed one that the bus has provisional (or not at all) up to the
   * newest published, as a restart found them: the feed confirms them before anything later. Taken once.
   */
  takeUnconfirmedOnBus(symbol: string): UnconfirmedOnBus[] {
    const out = this.unconfirmedSeed.get(symbol) ?? [];
    this.unconfirmedSeed.delete(symbol);
    return out;
  }

  /**
   * Reads the newest candles already on the bus so a restart continues after them (no duplicate,
   * gap backfilled), and finds the minutes published provisional there and not corrected yet.
   */
  async seedFromBus(symbol: string): Promise<{ openTime: number; venue: string } | undefined> {
    const entries = await this.bus.readLatest(Streams.candles(symbol), SEED_READ);
    let newest: { openTime: number; venue: string } | undefined;
    let confirmed: number | undefined;
    const provisional = new Map<number, CandleValues>();
    for (const e of entries) {
      const env = e.envelope;
      const isClosed = isMessage(env, MessageType.candleClosed);
      if (!isClosed && !isMessage(env, MessageType.candleCorrected)) continue;
      const p = env.payload;
      if (newest === undefined || p.openTime > newest.openTime) newest = { openTime: p.openTime, venue: p.venue };
      if (isClosed && env.payload.provisional) provisional.set(p.openTime, { openTime: p.openTime, closeTime: p.closeTime, open: p.open, high: p.high, low: p.low, close: p.close, volume: p.volume });
      else if (confirmed === undefined || p.openTime > confirmed) confirmed = p.openTime;
    }
    if (newest === undefined) return undefined;
    const prev = this.lastCandleOpen.get(symbol);
    if (prev === undefined || newest.openTime > prev) this.lastCandleOpen.set(symbol, newest.openTime);
    // none confirmed among the entries read: the oldest provisional one read starts the unconfirmed run
    const firstUnconfirmed = confirmed !== undefined ? confirmed + 60_000 : Math.min(newest.openTime + 60_000, ...provisional.keys());
    const lastConfirmed = firstUnconfirmed - 60_000;
    const prevConfirmed = this.lastConfirmedOpen.get(symbol);
    if (prevConfirmed === undefined || lastConfirmed > prevConfirmed) this.lastConfirmedOpen.set(symbol, lastConfirmed);
    const unconfirmed: UnconfirmedOnBus[] = [];
    for (let t = firstUnconfirmed; t <= newest.openTime; t += 60_000) unconfirmed.push({ openTime: t, shown: provisional.get(t) ?? null });
    this.unconfirmedSeed.set(symbol, unconfirmed);
    return newest;
  }

  /**
   * Publishes a closed 1m candle; returns false (and publishes nothing) for a duplicate or older
   * minute. The feed publishes a confirmed one only when no minute before it is unconfirmed.
   */
  async candle(venue: Venue, symbol: string, c: PublishedCandle, origin: CandleOrigin): Promise<boolean> {
    const prev = this.lastCandleOpen.get(symbol);
    if (prev !== undefined && c.openTime <= prev) {
      this.counters.duplicateCandlesDropped += 1;
      return false;
    }
    const provisional = c.provisional === true;
    // what strategies see continues the last confirmed minute: a venue gap is counted from there
    const confirmedPrev = provisional ? undefined : (this.lastConfirmedOpen.get(symbol) ?? prev);
    const missing = confirmedPrev === undefined ? 0 : (c.openTime - confirmedPrev) / 60_000 - 1;
    const venueGapBefore = missing > 0 && c.venueGapConfirmedBy !== undefined ? { fromOpenTime: confirmedPrev! + 60_000, minutes: missing, confirmedBy: c.venueGapConfirmedBy } : undefined;
    const env = makeEnvelope({
      type: MessageType.candleClosed,
      id: `${symbol}-1m@${c.openTime}`,
      source: this.source,
      tsEvent: c.closeTime,
      tsInit: this.now(),
      payload: {
        ...minuteValues(venue, symbol, c),
        synthetic: c.synthetic ?? false,
        origin,
        ...(provisional ? { provisional: true } : {}),
        ...(venueGapBefore ? { venueGapBefore } : {}),
      },
    });
    this.lastCandleOpen.set(symbol, c.openTime);
    if (!provisional) this.lastConfirmedOpen.set(symbol, c.openTime);
    this.counters.candles += 1;
    if (provisional) this.counters.provisionalCandles += 1;
    await this.writer.append(Streams.candles(symbol), env, StreamRetention.candles);
    return true;
  }

  /**
   * Publishes the confirmed values of a minute published provisional (or held back): it must be the
   * minute after the last confirmed one, or after a gap the venue confirmed (venueGapConfirmedBy).
   * Returns false (nothing published) for a minute already confirmed.
   */
  async candleCorrected(
    venue: Venue,
    symbol: string,
    c: Omit<PublishedCandle, 'provisional' | 'synthetic'>,
    origin: MarketCandleCorrectedV1['origin'],
    confirmation: Pick<MarketCandleCorrectedV1, 'changed' | 'confirmedBy'>,
  ): Promise<boolean> {
    const prev = this.lastConfirmedOpen.get(symbol);
    if (prev !== undefined && c.openTime <= prev) {
      this.counters.duplicateCandlesDropped += 1;
      return false;
    }
    const missing = prev === undefined ? 0 : (c.openTime - prev) / 60_000 - 1;
    if (missing > 0 && c.venueGapConfirmedBy === undefined) throw new Error(`${symbol}: a correction at ${new Date(c.openTime).toISOString()} skips ${missing} unconfirmed minutes`);
    this.lastConfirmedOpen.set(symbol, c.openTime);
    if ((this.lastCandleOpen.get(symbol) ?? Number.NEGATIVE_INFINITY) < c.openTime) this.lastCandleOpen.set(symbol, c.openTime);
    const venueGapBefore = missing > 0 && c.venueGapConfirmedBy !== undefined ? { fromOpenTime: prev! + 60_000, minutes: missing, confirmedBy: c.venueGapConfirmedBy } : undefined;
    const env = makeEnvelope({
      type: MessageType.candleCorrected,
      id: `${symbol}-1m-corrected@${c.openTime}`,
      source: this.source,
      tsEvent: c.closeTime,
      tsInit: this.now(),
      payload: {
        ...minuteValues(venue, symbol, c),
        origin,
        changed: confirmation.changed,
        confirmedBy: confirmation.confirmedBy,
        ...(venueGapBefore ? { venueGapBefore } : {}),
      },
    });
    this.counters.corrections += 1;
    await this.writer.append(Streams.candles(symbol), env, StreamRetention.candles);
    return true;
  }

  trade(venue: Venue, symbol: string, t: { id: number | string; price: Num; quantity: Num; time: number; isBuyerMaker: boolean }): Promise<void> {
    return this.publishPerFrame(Streams.trades(symbol), StreamRetention.trades, 'trades', () =>
      makeEnvelope({
        type: MessageType.trade,
        id: `${symbol}-trade-${t.id}`,
        source: this.source,
        tsEvent: t.time,
        tsInit: this.now(),
        payload: { venue, symbol, tradeId: String(t.id), price: canonicalDecimal(t.price), quantity: canonicalDecimal(t.quantity), time: t.time, isBuyerMaker: t.isBuyerMaker },
      }),
    );
  }

  bookTicker(venue: Venue, symbol: string, b: { updateId: number; bidPrice: Num; bidQty: Num; askPrice: Num; askQty: Num; time: number }): Promise<void> {
    return this.publishPerFrame(Streams.bookTicker(symbol), StreamRetention.bookTicker, 'bookTickers', () =>
      makeEnvelope({
        type: MessageType.bookTicker,
        id: `${symbol}-book-${b.updateId}`,
        source: this.source,
        tsEvent: b.time,
        tsInit: this.now(),
        payload: { venue, symbol, bidPrice: canonicalDecimal(b.bidPrice), bidQty: canonicalDecimal(b.bidQty), askPrice: canonicalDecimal(b.askPrice), askQty: canonicalDecimal(b.askQty), time: b.time },
      }),
    );
  }

  bookDepth(venue: Venue, symbol: string, d: { lastUpdateId: number; bids: ReadonlyArray<readonly [string, string]>; asks: ReadonlyArray<readonly [string, string]>; time: number }): Promise<void> {
    return this.publishPerFrame(Streams.bookDepth(symbol), StreamRetention.bookDepth, 'depth', () =>
      makeEnvelope({
        type: MessageType.bookDepth,
        id: `${symbol}-depth-${d.lastUpdateId}`,
        source: this.source,
        tsEvent: d.time,
        tsInit: this.now(),
        payload: {
          venue,
          symbol,
          lastUpdateId: d.lastUpdateId,
          bids: d.bids.map(([p, q]) => [canonicalDecimal(p), canonicalDecimal(q)] as [string, string]),
          asks: d.asks.map(([p, q]) => [canonicalDecimal(p), canonicalDecimal(q)] as [string, string]),
          time: d.time,
        },
      }),
    );
  }

  /**
   * Trades, top of book and depth come once per exchange frame, so they are not async functions:
   * one `then` on the writer's promise instead of an async function's promise and its await per
   * message. An envelope that cannot be built (a payload the schema refuses) still comes back as a
   * rejected promise, never a throw, and is not counted.
   */
  private publishPerFrame(stream: string, maxLen: number, counter: 'trades' | 'bookTickers' | 'depth', envelope: () => Envelope): Promise<void> {
    let env: Envelope;
    try {
      env = envelope();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    this.counters[counter] += 1;
    return this.writer.append(stream, env, maxLen).then(acknowledged);
  }

  async feedStatus(status: MarketFeedStatusV1): Promise<void> {
    const t = this.now();
    const env = makeEnvelope({ type: MessageType.feedStatus, id: `feed-${t}-${Math.floor(Math.random() * 1e9)}`, source: this.source, tsEvent: t, tsInit: t, payload: status });
    await this.writer.append(Streams.feedStatus(), env, StreamRetention.feedStatus);
  }
}
