import { ConsumerGroups, MessageType, Streams, isMessage } from '@btc-research/contracts';
import type { BusEntry, Logger, MarketEventRecord, MessageBus, StrategyStore, Subscription } from '@btc-research/platform';

type NewMarketEvent = Omit<MarketEventRecord, 'seq' | 'symbol'>;

/** Within one batch, ticks before the candle that closes over them when times tie. */
const KIND_RANK: Record<NewMarketEvent['kind'], number> = { book: 0, trade: 1, candle: 2 };

/** A bus entry as a market-log record (null for other message types). The source id makes appends idempotent. */
export function toMarketEvent(entry: BusEntry): { symbol: string; event: NewMarketEvent } | null {
  const env = entry.envelope;
  if (isMessage(env, MessageType.candleClosed)) {
    const p = env.payload;
    return {
      symbol: p.symbol,
      event: { kind: 'candle', time: p.closeTime, sourceId: `candle:${p.openTime}`, data: { openTime: p.openTime, closeTime: p.closeTime, open: p.open, high: p.high, low: p.low, close: p.close, volume: p.volume, origin: p.origin } },
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
  /** called with what was appended, in log order */
  onAppended: (symbol: string, added: readonly MarketEventRecord[]) => void;
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
      const added = await this.options.store.appendMarketEvents(
        symbol,
        list.map((x) => x.event),
      );
      if (added.length > 0) this.options.onAppended(symbol, added);
    }
  }
}
