import { MarketSimulator, SimulatedDepthBook, type PriceLevel, type SimulatedDepthDiff } from '@btc-research/engine';

const MINUTE = 60_000;

/** A closed or running 1m kline as the exchange computes it (strings as Binance sends them). */
export interface FakeKline {
  openTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number;
  quoteVolume: number;
  trades: number;
  takerBuyVolume: number;
  takerBuyQuoteVolume: number;
  firstTradeId: number;
  lastTradeId: number;
}

export interface FakeMarketOptions {
  symbols: string[];
  seed: number;
  /** market time of the first event (ms) */
  startTime: number;
  tradesPerMinute?: number;
  /** emit kline_1m frames */
  klines?: boolean;
  /** emit aggTrade instead of trade frames */
  aggTrade?: boolean;
}

export interface FakeFrame {
  /** the stream name as in a combined-stream subscription, e.g. btcusdt@depth@100ms */
  stream: string;
  /** the exact combined-stream frame text */
  text: string;
  /** market time of the event */
  time: number;
}

interface SymbolMarket {
  symbol: string;
  lower: string;
  sim: MarketSimulator;
  book: SimulatedDepthBook;
  klines: Map<number, FakeKline>;
  current: FakeKline | null;
  lastClose: string;
}

const px = (p: number): string => p.toFixed(8);

/**
 * The exchange side of the tests: a seeded market per symbol (trades from the engine's simulator,
 * a reacting depth book) that emits Binance's exact frame formats for trade/aggTrade, bookTicker,
 * depthUpdate and kline_1m, and keeps what the REST API serves: every kline and the book with its
 * update id. Pure: `advance` returns frames, the server decides what to do with them.
 */
export class FakeMarket {
  readonly markets = new Map<string, SymbolMarket>();
  time: number;

  constructor(private readonly o: FakeMarketOptions) {
    this.time = o.startTime;
    o.symbols.forEach((symbol, i) => {
      const sim = new MarketSimulator({ seed: o.seed + i * 7919, startTime: o.startTime, startPrice: i === 0 ? 65_000 : 3_000 / (i + 0), tradesPerMinute: o.tradesPerMinute ?? 240 });
      const book = new SimulatedDepthBook({ seed: o.seed + i, levels: 60, firstUpdateId: 50_000_000_000 + i * 1_000_000 });
      book.step(sim.lastPrice, 1);
      this.markets.set(symbol, { symbol, lower: symbol.toLowerCase(), sim, book, klines: new Map(), current: null, lastClose: px(sim.lastPrice) });
    });
  }

  /** Advances market time by `ms`, returning the frames in exchange order. */
  advance(ms: number): FakeFrame[] {
    const out: FakeFrame[] = [];
    const target = this.time + ms;
    while (this.time < target) {
      const boundary = Math.floor(this.time / MINUTE) * MINUTE + MINUTE;
      const until = Math.min(target, boundary);
      for (const m of this.markets.values()) this.advanceSymbol(m, until, out);
      this.time = until;
      if (until === boundary) for (const m of this.markets.values()) this.closeKline(m, boundary, out);
    }
    return out;
  }

  private advanceSymbol(m: SymbolMarket, until: number, out: FakeFrame[]): void {
    const diffs: SimulatedDepthDiff[] = [];
    m.sim.advanceTo(until, (t) => {
      const price = px(t.price);
      const qty = t.quantity.toFixed(8);
      const k = this.klineFor(m, t.time);
      if (k.trades === 0) k.open = k.high = k.low = price;
      else {
        if (t.price > Number(k.high)) k.high = price;
        if (t.price < Number(k.low)) k.low = price;
      }
      k.close = price;
      k.volume += t.quantity;
      k.quoteVolume += t.quantity * t.price;
      if (!t.isBuyerMaker) {
        k.takerBuyVolume += t.quantity;
        k.takerBuyQuoteVolume += t.quantity * t.price;
      }
      if (k.trades === 0) k.firstTradeId = t.id;
      k.trades += 1;
      k.lastTradeId = t.id;
      const d = this.o.aggTrade
        ? { e: 'aggTrade', E: t.time + 1, s: m.symbol, a: t.id, p: price, q: qty, f: t.id, l: t.id, T: t.time, m: t.isBuyerMaker, M: true }
        : { e: 'trade', E: t.time + 1, s: m.symbol, t: t.id, p: price, q: qty, T: t.time, m: t.isBuyerMaker, M: true };
      const stream = `${m.lower}@${this.o.aggTrade ? 'aggTrade' : 'trade'}`;
      out.push({ stream, text: JSON.stringify({ stream, data: d }), time: t.time });
      const c = m.book.consume(t.isBuyerMaker, t.quantity);
      if (c) diffs.push(c);
    });
    const vol = Math.sqrt(Math.max(1e-12, m.sim.getState().variance));
    const spreadTicks = Math.max(1, Math.min(8, Math.round(vol * 20_000)));
    const s = m.book.step(m.sim.lastPrice, spreadTicks);
    if (s) diffs.push(s);
    if (diffs.length > 0) {
      const bids = new Map<string, string>();
      const asks = new Map<string, string>();
      for (const d of diffs) {
        for (const [p, q] of d.bids) bids.set(p, q);
        for (const [p, q] of d.asks) asks.set(p, q);
      }
      const stream = `${m.lower}@depth@100ms`;
      const data = { e: 'depthUpdate', E: until, s: m.symbol, U: diffs[0]!.firstUpdateId, u: diffs[diffs.length - 1]!.finalUpdateId, b: [...bids], a: [...asks] };
      out.push({ stream, text: JSON.stringify({ stream, data }), time: until });
      const bb = m.book.bestBid();
      const ba = m.book.bestAsk();
      if (bb && ba) {
        const bt = `${m.lower}@bookTicker`;
        out.push({ stream: bt, text: JSON.stringify({ stream: bt, data: { u: m.book.lastUpdateId, s: m.symbol, b: bb.price, B: bb.qty, a: ba.price, A: ba.qty } }), time: until });
      }
    }
    if (this.o.klines !== false && m.current !== null) out.push(this.klineFrame(m, m.current, until, false));
  }

  private klineFor(m: SymbolMarket, time: number): FakeKline {
    const openTime = Math.floor(time / MINUTE) * MINUTE;
    if (m.current === null || m.current.openTime !== openTime) {
      m.current = { openTime, open: m.lastClose, high: m.lastClose, low: m.lastClose, close: m.lastClose, volume: 0, quoteVolume: 0, trades: 0, takerBuyVolume: 0, takerBuyQuoteVolume: 0, firstTradeId: -1, lastTradeId: -1 };
    }
    return m.current;
  }

  private closeKline(m: SymbolMarket, boundary: number, out: FakeFrame[]): void {
    const k = this.klineFor(m, boundary - 1);
    m.klines.set(k.openTime, k);
    m.lastClose = k.close;
    if (this.o.klines !== false) out.push(this.klineFrame(m, k, boundary + 5, true));
    m.current = null;
  }

  private klineFrame(m: SymbolMarket, k: FakeKline, eventTime: number, closed: boolean): FakeFrame {
    const stream = `${m.lower}@kline_1m`;
    const data = {
      e: 'kline', E: eventTime, s: m.symbol,
      k: {
        t: k.openTime, T: k.openTime + MINUTE - 1, s: m.symbol, i: '1m', f: k.firstTradeId, L: k.lastTradeId, o: k.open, c: k.close, h: k.high, l: k.low,
        v: k.volume.toFixed(8), n: k.trades, x: closed, q: k.quoteVolume.toFixed(8), V: k.takerBuyVolume.toFixed(8), Q: k.takerBuyQuoteVolume.toFixed(8), B: '0',
      },
    };
    return { stream, text: JSON.stringify({ stream, data }), time: eventTime };
  }

  /** GET /api/v3/klines rows (closed klines, then the running one), Binance's layout. */
  klineRows(symbol: string, startTime: number, endTime: number, limit: number): unknown[][] {
    const m = this.markets.get(symbol);
    if (!m) return [];
    const all = [...m.klines.values()];
    if (m.current) all.push(m.current);
    return all
      .filter((k) => k.openTime >= startTime && k.openTime <= endTime)
      .sort((a, b) => a.openTime - b.openTime)
      .slice(0, limit)
      .map((k) => [k.openTime, k.open, k.high, k.low, k.close, k.volume.toFixed(8), k.openTime + MINUTE - 1, k.quoteVolume.toFixed(8), k.trades, k.takerBuyVolume.toFixed(8), k.takerBuyQuoteVolume.toFixed(8), '0']);
  }

  /** every closed kline of the symbol, oldest first */
  closedKlines(symbol: string): FakeKline[] {
    return [...(this.markets.get(symbol)?.klines.values() ?? [])].sort((a, b) => a.openTime - b.openTime);
  }

  depth(symbol: string, limit: number): { lastUpdateId: number; bids: readonly PriceLevel[]; asks: readonly PriceLevel[] } {
    const m = this.markets.get(symbol);
    if (!m) throw new Error(`unknown symbol ${symbol}`);
    return m.book.snapshot(limit);
  }
}
