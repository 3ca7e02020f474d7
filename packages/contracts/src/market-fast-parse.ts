import { MessageType } from './registry.js';
import { DECIMAL_STRING_PATTERN, MARKET_SYMBOL_PATTERN, Venue } from './scalars.js';

/**
 * Hand-written accept paths of the market-data payloads published once per exchange frame (trade,
 * book ticker, book depth): tens of thousands a second, where a zod parse per message was a fifth
 * of the stream manager's CPU. Each returns what the zod schema's parse returns for a payload it
 * accepts (a new object, fields in schema order, unknown fields left out, tuples copied) — or
 * undefined, and the caller runs the zod schema, which stays the one source of the wire format and
 * of every error code and message. A fast check may only accept a subset of what zod accepts; the
 * contracts tests compare both on valid and invalid payloads.
 */
type FastParse = (payload: unknown) => unknown;

const venues: ReadonlySet<unknown> = new Set(Venue.options);
const isDecimal = (v: unknown): v is string => typeof v === 'string' && DECIMAL_STRING_PATTERN.test(v);
const isSymbol = (v: unknown): v is string => typeof v === 'string' && MARKET_SYMBOL_PATTERN.test(v);
const isUnixMs = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function record(payload: unknown): Record<string, unknown> | undefined {
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
}

function levels(v: unknown): Array<[string, string]> | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = new Array<[string, string]>(v.length);
  for (let i = 0; i < v.length; i++) {
    const l: unknown = v[i];
    if (!Array.isArray(l) || l.length !== 2 || !isDecimal(l[0]) || !isDecimal(l[1])) return undefined;
    out[i] = [l[0], l[1]];
  }
  return out;
}

const trade: FastParse = (payload) => {
  const p = record(payload);
  if (p === undefined) return undefined;
  const { venue, symbol, tradeId, price, quantity, time, isBuyerMaker } = p;
  if (!venues.has(venue) || !isSymbol(symbol) || typeof tradeId !== 'string' || !isDecimal(price) || !isDecimal(quantity) || !isUnixMs(time) || typeof isBuyerMaker !== 'boolean') return undefined;
  return { venue, symbol, tradeId, price, quantity, time, isBuyerMaker };
};

const bookTicker: FastParse = (payload) => {
  const p = record(payload);
  if (p === undefined) return undefined;
  const { venue, symbol, bidPrice, bidQty, askPrice, askQty, time } = p;
  if (!venues.has(venue) || !isSymbol(symbol) || !isDecimal(bidPrice) || !isDecimal(bidQty) || !isDecimal(askPrice) || !isDecimal(askQty) || !isUnixMs(time)) return undefined;
  return { venue, symbol, bidPrice, bidQty, askPrice, askQty, time };
};

const bookDepth: FastParse = (payload) => {
  const p = record(payload);
  if (p === undefined) return undefined;
  const { venue, symbol, lastUpdateId, time } = p;
  if (!venues.has(venue) || !isSymbol(symbol) || !isUnixMs(lastUpdateId) || !isUnixMs(time)) return undefined;
  const bids = levels(p['bids']);
  const asks = levels(p['asks']);
  if (bids === undefined || asks === undefined) return undefined;
  return { venue, symbol, lastUpdateId, bids, asks, time };
};

const fastParsers: ReadonlyMap<string, FastParse> = new Map([
  [MessageType.trade, trade],
  [MessageType.bookTicker, bookTicker],
  [MessageType.bookDepth, bookDepth],
]);

/** The payload as the v1 schema of `type` would return it, or undefined: then parse with the schema. */
export function fastParseMarketPayload(type: string, payload: unknown): unknown {
  return fastParsers.get(type)?.(payload);
}
