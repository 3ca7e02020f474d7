import { ConsumerGroups, MessageType, Streams, isMessage } from '@btc-research/contracts';
import { ConflictError, type BusEntry, type Logger, type MarketEventRecord, type MessageBus, type StrategyStore, type Subscription } from '@btc-research/platform';
import { RecentIds } from './recent-ids.js';

type NewMarketEvent = Omit<MarketEventRecord, 'seq' | 'symbol'>;

/** Within one batch, ticks before the candle that closes over them when times tie. */
const KIND_RANK: Record<NewMarketEvent['kind'], number> = { book: 0, trade: 1, candle: 2 };

/** A bus entry as a market-log record (null for other message types). The source id makes appends idempotent. */
export function toMarketEvent(entry: BusEntry): { symbol: string; event: NewMarketEvent } | null {
  const env = entry.envelope;
  if (isMessage(env, MessageType.candleClosed) || isMessage(env, MessageType.candleCorrected)) {
    const p = env.payload;
    // an unconfirmed candle never enters the log (no strategy decides on it); its correction does
    if ('provisional' in p && p.provisional) return null;
    const gap = 'venueGapBefore' in p && p.venueGapBefore ? { venueGapBefore: p.venueGapBefore } : {};
    return {
      symbol: p.symbol,
      event: { kind: 'candle', time: p.closeTime, sourceId: `candle:${p.openTime}`, data: { openTime: p.openTime, closeTime: p.closeTime, open: p.open, high: p.high, low: p.low, close: p.close, volume: p.volume, origin: p.origin, ...gap } },
    };
  }
  if (isMessage(env, MessageType.trade)) {
    const p = env.payload;
    return { symbol: p.symbol, event: { kind: 'trade', time: p.time, sourceId: `trade:${p.tradeId}`, data: { price: p.price, quantity: p.quantity } } };
  }
  if (isMessage(env, MessageType.bookTicker)) {
    const p = env.payload;
    return { symbol: p.symbol, event: { kind: 'book', time: p.time, sourceId: `book:${entry.id}`, data: { bids: [[p.bidPrice, p.bidQty]], asks: [[p.askPrice, p.askQty]] } } };
  }
  if (isMessage(env, MessageType.bookDepth)) {
    const p = env.payload;
    return { symbol: p.symbol, event: { kind: 'book', time: p.time, sourceId: `depth:${p.lastUpdateId}:${entry.id}`, data: { bids: p.bids, asks: p.asks } } };
  }
  return null;
}

export interface MarketLogIngestOptions {
  bus: MessageBus;
  store: StrategyStore;
  logger: Logger;
  worker: string;
  /** entries a dead ingesting worker left pending are claimed after this long (≤ the lease length) */
  claimIdleMs: number;
  /** called with what was appended by appendMarketEvents (the fallback path), in log order */
  onAppended: (symbol: string, added: readonly MarketEventRecord[]) => void;
  /**
   * The fast path: inputs known to be new, numbered here to continue the log, handed over to be
   * committed together with their effects (store.appendMarketEventsWithEffects). A ConflictError
   * (the log was not where this writer thought) makes the batch take the fallback path instead.
   */
  commit?: (symbol: string, events: readonly MarketEventRecord[]) => Promise<void>;
}

/** How much of the log's end a writer reads when it starts, to recognise redelivered inputs. */
const TAIL_ON_START = 10_000;
/**
 * Source ids remembered per symbol (the last ones appended): twice the tail read at start, far more
 * than a redelivered batch (a thousand per stream). An older id is not lost either: it only takes
 * the store's own de-duplication (the fallback path) instead of the fast path.
 */
const RECENT_IDS_PER_SYMBOL = 2 * TAIL_ON_START;

/** What the log writer knows of one symbol's log end. */
interface LogEnd {
  lastSeq: number;
  /** close time of the last candle in the log, null when the tail read at start had none */
  lastCandleTime: number | null;
  recent: RecentIds;
}

/**
 * Copies market data from the bus into the store's per-symbol market log, in the order it arrives,
 * acknowledging entries only once they are written. Runs on the one worker holding the market-log
 * lease; when that worker dies, the next holder claims its pending entries (after claimIdleMs,
 * which is shorter than the lease) before reading new ones, so nothing is skipped or reordered.
 */
export class MarketLogIngest {
  private sub: Subscription | null = null;
  private symbols: string[] = [];
  /** per symbol; forgotten whenever the writer stops (another worker may write meanwhile) */
  private ends = new Map<string, LogEnd>();

  constructor(private readonly options: MarketLogIngestOptions) {}

  isRunning(): boolean {
    return this.sub !== null;
  }

  start(symbols: readonly string[]): void {
    const wanted = [...new Set(symbols)].sort();
    if (this.sub && wanted.join(',') === this.symbols.join(',')) return;
    if (this.sub) {
      // a new symbol: resubscribe (the group remembers where each stream was)
      const old = this.sub;
      this.sub = null;
      void old.stop().then(() => this.start(wanted));
      return;
    }
    this.symbols = wanted;
    this.ends.clear();
    const streams = wanted.flatMap((s) => [Streams.candles(s), Streams.trades(s), Streams.bookTicker(s), Streams.bookDepth(s)]);
    this.options.logger.info({ worker: this.options.worker, symbols: wanted }, 'writing the market log');
    this.sub = this.options.bus.consume(
      { streams, group: ConsumerGroups.paperTrader, consumer: this.options.worker, startAt: '0', batchSize: 1_000, claimIdleMs: this.options.claimIdleMs },
      (entries) => this.onEntries(entries),
    );
  }

  async stop(): Promise<void> {
    const s = this.sub;
    this.sub = null;
    if (s) await s.stop();
    this.ends.clear();
  }

  private async endOf(symbol: string): Promise<LogEnd> {
    let end = this.ends.get(symbol);
    if (!end) {
      const tail = await this.options.store.lastMarketEvents(symbol, TAIL_ON_START);
      const candles = tail.filter((e) => e.kind === 'candle');
      end = { lastSeq: tail[tail.length - 1]?.seq ?? 0, lastCandleTime: candles.length > 0 ? candles[candles.length - 1]!.time : tail.length === 0 ? Number.NEGATIVE_INFINITY : null, recent: new RecentIds(RECENT_IDS_PER_SYMBOL) };
      this.remember(end, tail);
      this.ends.set(symbol, end);
    }
    return end;
  }

  private remember(end: LogEnd, events: ReadonlyArray<Pick<MarketEventRecord, 'sourceId' | 'kind' | 'time'>>): void {
    for (const e of events) {
      end.recent.add(e.sourceId);
      if (e.kind === 'candle' && (end.lastCandleTime === null || e.time > end.lastCandleTime)) end.lastCandleTime = e.time;
    }
  }

  /**
   * New for certain: not among the recent source ids, and a candle closes after the log's last one
   * (candles enter the log in time order). Anything else goes through the store's own de-duplication.
   */
  private isSurelyNew(end: LogEnd, e: NewMarketEvent): boolean {
    if (end.recent.has(e.sourceId)) return false;
    return e.kind !== 'candle' || (end.lastCandleTime !== null && e.time > end.lastCandleTime);
  }

  private async appendFast(symbol: string, end: LogEnd, events: readonly NewMarketEvent[]): Promise<boolean> {
    const commit = this.options.commit;
    if (!commit || events.length === 0) return false;
    const seen = new Set<string>();
    for (const e of events) {
      if (seen.has(e.sourceId) || !this.isSurelyNew(end, e)) return false;
      seen.add(e.sourceId);
    }
    const numbered = events.map((e, i): MarketEventRecord => ({ symbol, seq: end.lastSeq + 1 + i, kind: e.kind, time: e.time, sourceId: e.sourceId, data: e.data }));
    try {
      await commit(symbol, numbered);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      this.options.logger.warn({ symbol, fromSeq: numbered[0]!.seq, err }, 'market log was not where this writer thought; appending through the store instead');
      this.ends.delete(symbol);
      return false;
    }
    end.lastSeq = numbered[numbered.length - 1]!.seq;
    this.remember(end, numbered);
    return true;
  }

  private async onEntries(entries: readonly BusEntry[]): Promise<void> {
    const bySymbol = new Map<string, Array<{ event: NewMarketEvent; i: number }>>();
    entries.forEach((entry, i) => {
      const m = toMarketEvent(entry);
      if (!m) return;
      const list = bySymbol.get(m.symbol) ?? [];
      list.push({ event: m.event, i });
      bySymbol.set(m.symbol, list);
    });
    for (const [symbol, list] of bySymbol) {
      list.sort((a, b) => a.event.time - b.event.time || KIND_RANK[a.event.kind] - KIND_RANK[b.event.kind] || a.i - b.i);
      const events = list.map((x) => x.event);
      const end = await this.endOf(symbol);
      if (await this.appendFast(symbol, end, events)) continue;
      const added = await this.options.store.appendMarketEvents(symbol, events);
      const current = this.ends.get(symbol);
      if (current) {
        // everything in the batch is in the log now, added or already there
        this.remember(current, events);
        if (added.length > 0) current.lastSeq = added[added.length - 1]!.seq;
      }
      if (added.length > 0) this.options.onAppended(symbol, added);
    }
  }
}
