import { parseDepthSnapshot } from '@btc-research/binance';
import type { FrameStats } from '../binance/frame-stats.js';
import type { SymbolFeed } from '../binance/symbol-feed.js';

/** One line of a recording, decoded: a frame for the router, or a REST depth snapshot for a feed's book. */
export interface RecordedLine {
  /** the recorded time (ms) the replay is paced by; null when the line has none */
  recordedMs: number | null;
  /** the frame text, or the snapshot's REST body */
  text: string;
  isSnapshot: boolean;
  /** a snapshot's symbol, as recorded */
  symbol?: unknown;
}

const TRADE_HEADER = /^id,price,qty/i;

/**
 * Turns the lines of a recorded WebSocket session (JSONL `{recv_us, kind, raw}`) or a Binance trade
 * CSV into frames, counting what it cannot read in FrameStats. Remembers the CSV's layout (with or
 * without quote_qty) from its first line.
 */
export class RecordedLineDecoder {
  private lineNo = 0;
  private hasQuoteQty = false;

  constructor(
    private readonly format: 'ws-session' | 'trades',
    /** the symbol of a trade CSV's rows */
    private readonly tradeSymbol: string,
    private readonly feeds: ReadonlyMap<string, SymbolFeed>,
    private readonly frames: FrameStats,
  ) {}

  /** null: nothing to replay on this line (blank, header, unreadable, a connect marker) */
  decode(line: string): RecordedLine | null {
    this.lineNo += 1;
    if (line.trim() === '') return null;
    return this.format === 'trades' ? this.decodeTradeRow(line) : this.decodeSessionLine(line);
  }

  /** installs a recorded REST depth snapshot in its symbol's feed (the only feed when the line names none) */
  installSnapshot(line: RecordedLine): void {
    const { feeds } = this;
    const feed = typeof line.symbol === 'string' ? feeds.get(line.symbol) : feeds.size === 1 ? [...feeds.values()][0] : undefined;
    try {
      if (feed) feed.installSnapshot(parseDepthSnapshot(JSON.parse(line.text)));
    } catch (err) {
      this.frames.reject('bad-snapshot', (err as Error).message, line.text);
    }
  }

  private decodeTradeRow(line: string): RecordedLine | null {
    if (this.lineNo === 1 && TRADE_HEADER.test(line)) {
      this.hasQuoteQty = /quote_qty/i.test(line);
      return null;
    }
    if (this.lineNo === 1) this.hasQuoteQty = line.split(',').length >= 7;
    const text = tradeCsvRowToFrame(line, this.tradeSymbol, this.hasQuoteQty);
    if (text === null) {
      this.frames.reject('bad-trade-row', `line ${this.lineNo}: expected id,price,qty[,quote_qty],time,is_buyer_maker`, line);
      return null;
    }
    return { recordedMs: Number(line.split(',')[this.hasQuoteQty ? 4 : 3]), text, isSnapshot: false };
  }

  private decodeSessionLine(line: string): RecordedLine | null {
    let rec: { recv_us?: unknown; kind?: unknown; raw?: unknown; symbol?: unknown };
    try {
      rec = JSON.parse(line) as typeof rec;
    } catch {
      this.frames.reject('bad-session-line', `line ${this.lineNo} is not JSON`, line);
      return null;
    }
    if (typeof rec.raw !== 'string') return null; // connect markers and the like
    const recordedMs = typeof rec.recv_us === 'number' ? rec.recv_us / 1000 : null;
    return { recordedMs, text: rec.raw, isSnapshot: rec.kind === 'rest_depth_snapshot', symbol: rec.symbol };
  }
}

/** `id,price,qty[,quote_qty],time,is_buyer_maker[,…]` (data.binance.vision trades layout, header optional) → a trade frame payload. */
export function tradeCsvRowToFrame(line: string, symbol: string, hasQuoteQty: boolean): string | null {
  const c = line.split(',');
  if (c.length < 5) return null;
  const [id, price, qty] = c;
  const time = hasQuoteQty ? c[4] : c[3];
  const maker = hasQuoteQty ? c[5] : c[4];
  let t = Number(time);
  if (t > 1e14) t = Math.floor(t / 1000);
  const m = String(maker).trim().toLowerCase() === 'true';
  return `{"e":"trade","E":${t},"s":"${symbol}","t":${Number(id)},"p":${JSON.stringify(price)},"q":${JSON.stringify(qty)},"T":${t},"m":${m},"M":true}`;
}
