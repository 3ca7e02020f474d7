import { MessageType, StreamRetention, Streams, makeEnvelope, type MarketFeedStatusV1, type Venue } from '@btc-research/contracts';
import { CandleAggregator, TIMEFRAMES, type Candle, type Timeframe } from '@btc-research/engine';
import { encodeEnvelope, type Envelope } from '@btc-research/contracts';
import { envelopeFields, type MessageBus, type RawStreamAccess } from '@btc-research/platform';
import { RedisPipelineWriter, type PipelineConnection } from './redis-pipeline-writer.js';
import { RespStreamWriter } from './resp-stream-writer.js';

type Num = number | string;

export interface PublishedCandle {
  openTime: number;
  closeTime: number;
  open: Num;
  high: Num;
  low: Num;
  close: Num;
  volume: Num;
  synthetic?: boolean;
}

export type CandleOrigin = 'live' | 'backfill' | 'simulated' | 'replay';

/** Formats a float price/size as a canonical decimal string (8 dp at most, no exponent). Exchange text passes through. */
export function toWireDecimal(value: Num): string {
  if (typeof value === 'string') return canonicalDecimal(value);
  const s = value.toFixed(8).replace(/\.?0+$/, '');
  return s === '' || s === '-0' ? '0' : s;
}

/** "61837.63000000" → "61837.63"; "0.00000000" → "0". */
function canonicalDecimal(text: string): string {
  if (text.indexOf('.') < 0) return text;
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 48) end--;
  if (text.charCodeAt(end - 1) === 46) end--;
  const s = text.slice(0, end);
  return s === '' ? '0' : s;
}

/** Fixed-capacity ring of the newest candles. */
export class CandleRing {
  private readonly items: Candle[] = [];
  private start = 0;
  constructor(readonly capacity: number) {}
  push(c: Candle): void {
    if (this.items.length < this.capacity) this.items.push(c);
    else {
      this.items[this.start] = c;
      this.start = (this.start + 1) % this.capacity;
    }
  }
  get size(): number {
    return this.items.length;
  }
  /** oldest first */
  toArray(): Candle[] {
    return [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
  }
  last(): Candle | undefined {
    return this.items.length === 0 ? undefined : this.items[(this.start + this.items.length - 1) % this.items.length];
  }
}

/** The last `capacity` candles per timeframe of one symbol, higher timeframes built from the published 1m candles. */
class SymbolHistory {
  readonly rings = new Map<Timeframe, CandleRing>();
  private readonly aggregators: CandleAggregator[];
  constructor(capacity: number) {
    for (const tf of TIMEFRAMES) this.rings.set(tf, new CandleRing(capacity));
    this.aggregators = TIMEFRAMES.filter((tf) => tf !== '1m').map((tf) => new CandleAggregator(tf));
  }
  add(c: Candle): void {
    this.rings.get('1m')?.push(c);
    for (const a of this.aggregators) for (const h of a.add(c)) this.rings.get(a.timeframe)?.push(h);
  }
}

export interface PublisherCounters {
  candles: number;
  trades: number;
  bookTickers: number;
  depth: number;
  /** candles refused because their minute was already published (duplicates) or older */
  duplicateCandlesDropped: number;
}

/**
 * The single publishing path for every source: closed 1m candles (deterministic ids; a candle for a
 * minute at or before the last one published for the symbol is refused, so consumers never see a
 * duplicate or a step back), trades, top of book, depth and feed status. Keeps the last 1,000
 * candles per symbol and timeframe in ring buffers.
 */
export class MarketPublisher {
  private readonly lastCandleOpen = new Map<string, number>();
  private readonly histories = new Map<string, SymbolHistory>();
  readonly counters: PublisherCounters = { candles: 0, trades: 0, bookTickers: 0, depth: 0, duplicateCandlesDropped: 0 };

  /** the bus's raw append, when it has one: the envelope is validated once (makeEnvelope), not twice */
  private readonly raw: RawStreamAccess | null;
  /** with the Redis bus: market data goes through its own pipelined connection */
  private readonly pipeline: RedisPipelineWriter | null;
  /** with the Redis bus and its URL: a lean RESP connection that only appends (the hot path) */
  private readonly resp: RespStreamWriter | null;

  constructor(
    private readonly bus: MessageBus,
    private readonly source: string,
    private readonly now: () => number,
    private readonly historyCapacity = 1000,
    options: { pipelineRedisWrites?: boolean; redisUrl?: string | undefined } = {},
  ) {
    this.raw = typeof (bus as Partial<RawStreamAccess>).appendRaw === 'function' ? (bus as unknown as RawStreamAccess) : null;
    const dup = (bus as Partial<{ duplicateConnection(): PipelineConnection }>).duplicateConnection;
    const fast = bus.kind === 'redis' && options.pipelineRedisWrites !== false;
    this.resp = fast && options.redisUrl !== undefined && options.redisUrl !== '' ? new RespStreamWriter(options.redisUrl) : null;
    this.pipeline = fast && this.resp === null && typeof dup === 'function' ? new RedisPipelineWriter(dup.call(bus)) : null;
  }

  /** Envelopes are validated by makeEnvelope (zod) before they get here. */
  private async append(stream: string, env: Envelope, maxLen: number): Promise<void> {
    if (this.resp !== null && !this.resp.broken) {
      const fields = envelopeFields(env, encodeEnvelope(env));
      try {
        await this.resp.append(stream, fields, maxLen);
        return;
      } catch (err) {
        if (!this.resp.broken) throw err; // Redis refused this entry
        // the lean connection is gone: this entry and the next ones go through the bus
      }
    }
    if (this.pipeline !== null) await this.pipeline.append(stream, envelopeFields(env, encodeEnvelope(env)), maxLen);
    else if (this.raw === null) await this.bus.publish(stream, env, maxLen);
    else await this.raw.appendRaw(stream, envelopeFields(env, encodeEnvelope(env)), maxLen);
  }

  /** Flushes and releases the pipelined connection (the bus itself is closed by its owner). */
  async close(): Promise<void> {
    await this.pipeline?.close();
    await this.resp?.close();
  }

  /** openTime of the newest candle published (or seeded) for the symbol */
  lastCandleOpenTime(symbol: string): number | undefined {
    return this.lastCandleOpen.get(symbol);
  }

  /** Reads the newest candle already on the bus so a restart continues after it (no duplicate, gap backfilled). */
  async seedFromBus(symbol: string): Promise<{ openTime: number; venue: string } | undefined> {
    const [last] = await this.bus.readLatest(Streams.candles(symbol), 1);
    if (last === undefined) return undefined;
    const p = last.envelope.payload as { openTime: number; venue: string };
    const prev = this.lastCandleOpen.get(symbol);
    if (prev === undefined || p.openTime > prev) this.lastCandleOpen.set(symbol, p.openTime);
    return { openTime: p.openTime, venue: p.venue };
  }

  /** the last candles of a timeframe for a symbol, oldest first */
  history(symbol: string, timeframe: Timeframe = '1m'): Candle[] {
    return this.histories.get(symbol)?.rings.get(timeframe)?.toArray() ?? [];
  }

  /** Publishes a closed 1m candle; returns false (and publishes nothing) for a duplicate or older minute. */
  async candle(venue: Venue, symbol: string, c: PublishedCandle, origin: CandleOrigin): Promise<boolean> {
    const prev = this.lastCandleOpen.get(symbol);
    if (prev !== undefined && c.openTime <= prev) {
      this.counters.duplicateCandlesDropped += 1;
      return false;
    }
    this.lastCandleOpen.set(symbol, c.openTime);
    const env = makeEnvelope({
      type: MessageType.candleClosed,
      id: `${symbol}-1m@${c.openTime}`,
      source: this.source,
      tsEvent: c.closeTime,
      tsInit: this.now(),
      payload: {
        venue,
        symbol,
        timeframe: '1m',
        openTime: c.openTime,
        closeTime: c.closeTime,
        open: toWireDecimal(c.open),
        high: toWireDecimal(c.high),
        low: toWireDecimal(c.low),
        close: toWireDecimal(c.close),
        volume: toWireDecimal(c.volume),
        synthetic: c.synthetic ?? false,
        origin,
      },
    });
    let h = this.histories.get(symbol);
    if (h === undefined) this.histories.set(symbol, (h = new SymbolHistory(this.historyCapacity)));
    h.add({ openTime: c.openTime, closeTime: c.closeTime, open: Number(c.open), high: Number(c.high), low: Number(c.low), close: Number(c.close), volume: Number(c.volume) });
    this.counters.candles += 1;
    await this.append(Streams.candles(symbol), env, StreamRetention.candles);
    return true;
  }

  async trade(venue: Venue, symbol: string, t: { id: number | string; price: Num; quantity: Num; time: number; isBuyerMaker: boolean }): Promise<void> {
    const env = makeEnvelope({
      type: MessageType.trade,
      id: `${symbol}-trade-${t.id}`,
      source: this.source,
      tsEvent: t.time,
      tsInit: this.now(),
      payload: { venue, symbol, tradeId: String(t.id), price: toWireDecimal(t.price), quantity: toWireDecimal(t.quantity), time: t.time, isBuyerMaker: t.isBuyerMaker },
    });
    this.counters.trades += 1;
    await this.append(Streams.trades(symbol), env, StreamRetention.trades);
  }

  async bookTicker(venue: Venue, symbol: string, b: { updateId: number; bidPrice: Num; bidQty: Num; askPrice: Num; askQty: Num; time: number }): Promise<void> {
    const env = makeEnvelope({
      type: MessageType.bookTicker,
      id: `${symbol}-book-${b.updateId}`,
      source: this.source,
      tsEvent: b.time,
      tsInit: this.now(),
      payload: { venue, symbol, bidPrice: toWireDecimal(b.bidPrice), bidQty: toWireDecimal(b.bidQty), askPrice: toWireDecimal(b.askPrice), askQty: toWireDecimal(b.askQty), time: b.time },
    });
    this.counters.bookTickers += 1;
    await this.append(Streams.bookTicker(symbol), env, StreamRetention.bookTicker);
  }

  async bookDepth(venue: Venue, symbol: string, d: { lastUpdateId: number; bids: ReadonlyArray<readonly [string, string]>; asks: ReadonlyArray<readonly [string, string]>; time: number }): Promise<void> {
    const env = makeEnvelope({
      type: MessageType.bookDepth,
      id: `${symbol}-depth-${d.lastUpdateId}`,
      source: this.source,
      tsEvent: d.time,
      tsInit: this.now(),
      payload: {
        venue,
        symbol,
        lastUpdateId: d.lastUpdateId,
        bids: d.bids.map(([p, q]) => [toWireDecimal(p), toWireDecimal(q)] as [string, string]),
        asks: d.asks.map(([p, q]) => [toWireDecimal(p), toWireDecimal(q)] as [string, string]),
        time: d.time,
      },
    });
    this.counters.depth += 1;
    await this.append(Streams.bookDepth(symbol), env, StreamRetention.bookDepth);
  }

  async feedStatus(status: MarketFeedStatusV1): Promise<void> {
    const t = this.now();
    const env = makeEnvelope({ type: MessageType.feedStatus, id: `feed-${t}-${Math.floor(Math.random() * 1e9)}`, source: this.source, tsEvent: t, tsInit: t, payload: status });
    await this.bus.publish(Streams.feedStatus(), env, StreamRetention.feedStatus);
  }
}
