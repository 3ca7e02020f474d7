import type { BookTickerEvent, TradeEvent } from './frame-events.js';
import { isDecimalText, isSymbolText } from './text-checks.js';

/**
 * The two frames that are nine in ten of a spot feed — bookTicker and trade on a combined stream,
 * exactly as Binance writes them — read by a scan of the text instead of JSON.parse plus a walk of
 * the parsed object. Anything else (another key order, whitespace, an escape, a number JSON would
 * read differently, a value that fails a check) gives undefined and the caller parses the frame in
 * full, so a frame never gets a different result than the generic path would give it.
 */
type KnownFrame = { ok: true; stream: string; event: TradeEvent | BookTickerEvent };

const isDecimal = (v: string | undefined): v is string => isDecimalText(v);
const isSymbol = (v: string | undefined): v is string => isSymbolText(v);

/** What parseBinanceFrame returns for a bookTicker or trade frame in Binance's own layout, or undefined. */
export function scanKnownFrame(text: string): KnownFrame | undefined {
  if (!text.startsWith('{"stream":"') || text.indexOf('\\') >= 0) return undefined;
  const streamEnd = text.indexOf('"', 11);
  if (streamEnd < 0) return undefined;
  for (let i = 11; i < streamEnd; i++) if (text.charCodeAt(i) < 0x20) return undefined; // JSON.parse refuses raw control characters
  if (!text.startsWith('","data":{"', streamEnd)) return undefined;
  const at = streamEnd + 11;
  if (text.startsWith('u":', at)) return bookTicker(new Scan(text, at + 3), text.slice(11, streamEnd));
  if (text.startsWith('e":"trade","E":', at)) return trade(new Scan(text, at + 15), text.slice(11, streamEnd));
  return undefined;
}

/** {"u":…,"s":"…","b":"…","B":"…","a":"…","A":"…"}} */
function bookTicker(s: Scan, stream: string): KnownFrame | undefined {
  const updateId = s.int();
  if (updateId === undefined || !s.key(',"s":"')) return undefined;
  const symbol = s.str();
  if (!isSymbol(symbol) || !s.key(',"b":"')) return undefined;
  const bidPrice = s.str();
  if (!isDecimal(bidPrice) || !s.key(',"B":"')) return undefined;
  const bidQty = s.str();
  if (!isDecimal(bidQty) || !s.key(',"a":"')) return undefined;
  const askPrice = s.str();
  if (!isDecimal(askPrice) || !s.key(',"A":"')) return undefined;
  const askQty = s.str();
  if (!isDecimal(askQty) || !s.end()) return undefined;
  return { ok: true, stream, event: { kind: 'bookTicker', symbol, updateId, bidPrice, bidQty, askPrice, askQty } };
}

/** {"e":"trade","E":…,"s":"…","t":…,"p":"…","q":"…","T":…,"m":…,"M":…}} */
function trade(s: Scan, stream: string): KnownFrame | undefined {
  const eventTime = s.int();
  if (eventTime === undefined || !s.key(',"s":"')) return undefined;
  const symbol = s.str();
  if (!isSymbol(symbol) || !s.key(',"t":')) return undefined;
  const tradeId = s.int();
  if (tradeId === undefined || !s.key(',"p":"')) return undefined;
  const price = s.str();
  if (!isDecimal(price) || !s.key(',"q":"')) return undefined;
  const qty = s.str();
  if (!isDecimal(qty) || !s.key(',"T":')) return undefined;
  const time = s.int();
  if (time === undefined || !s.key(',"m":')) return undefined;
  const isBuyerMaker = s.bool();
  if (isBuyerMaker === undefined || !s.key(',"M":') || s.bool() === undefined || !s.end()) return undefined;
  return { ok: true, stream, event: { kind: 'trade', symbol, tradeId, aggregated: false, price, qty, time, eventTime, isBuyerMaker } };
}

/** A cursor over the frame text; every reader returns undefined when the text is not what it expects. */
class Scan {
  constructor(
    private readonly text: string,
    public pos: number,
  ) {}

  key(literal: string): boolean {
    if (!this.text.startsWith(literal, this.pos)) return false;
    this.pos += literal.length;
    return true;
  }

  /** a string's text up to its closing quote (the frame has no backslash, so no escapes) */
  str(): string | undefined {
    const end = this.text.indexOf('"', this.pos);
    if (end < 0) return undefined;
    const v = this.text.slice(this.pos, end);
    this.pos = end + 1;
    return v;
  }

  /** a non-negative integer as JSON writes it (no leading zero, no fraction or exponent), up to 15 digits */
  int(): number | undefined {
    const t = this.text;
    const start = this.pos;
    let v = 0;
    let i = start;
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
    }
    const digits = i - start;
    if (digits === 0 || digits > 15 || (digits > 1 && t.charCodeAt(start) === 48)) return undefined;
    const next = t.charCodeAt(i);
    if (next === 46 /* . */ || next === 101 /* e */ || next === 69 /* E */) return undefined;
    this.pos = i;
    return v;
  }

  bool(): boolean | undefined {
    if (this.key('true')) return true;
    if (this.key('false')) return false;
    return undefined;
  }

  /** the closing braces of data and of the frame, and nothing after them */
  end(): boolean {
    return this.pos + 2 === this.text.length && this.text.startsWith('}}', this.pos);
  }
}
