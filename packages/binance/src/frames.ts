import type { PriceLevel } from '@btc-research/engine';
import type { BinanceEvent } from './frame-events.js';
import { scanKnownFrame } from './frame-fast-path.js';
import { isDecimalText, isSymbolText } from './text-checks.js';

/**
 * Parsers for Binance spot WebSocket frames (combined `/stream?streams=` envelopes and raw `/ws/`
 * payloads): trade, aggTrade, bookTicker, depthUpdate and kline. Pure: text in, a typed event or a
 * classified rejection out. Prices and quantities stay the exchange's exact decimal strings.
 */

export type { TradeEvent, BookTickerEvent, DepthUpdateEvent, KlineValues, KlineEvent, ControlEvent, BinanceEvent } from './frame-events.js';

export type FrameRejectKind = 'not-json' | 'not-object' | 'unknown-event' | 'bad-trade' | 'bad-book-ticker' | 'bad-depth' | 'bad-kline' | 'exchange-error';

export type FrameParseResult = { ok: true; stream: string | undefined; event: BinanceEvent } | { ok: false; kind: FrameRejectKind; reason: string };

export { isDecimalText };
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isSym = isSymbolText;

type FrameRejection = { ok: false; kind: FrameRejectKind; reason: string };

function reject(kind: FrameRejectKind, reason: string): FrameRejection {
  return { ok: false, kind, reason };
}

function parseLevels(v: unknown): PriceLevel[] | null {
  if (!Array.isArray(v)) return null;
  const out: PriceLevel[] = new Array<PriceLevel>(v.length);
  for (let i = 0; i < v.length; i++) {
    const l: unknown = v[i];
    if (!Array.isArray(l) || l.length < 2 || !isDecimalText(l[0]) || !isDecimalText(l[1])) return null;
    out[i] = [l[0], l[1]];
  }
  return out;
}

/** Parses one frame's text. Never throws. */
export function parseBinanceFrame(text: string): FrameParseResult {
  const known = scanKnownFrame(text);
  if (known !== undefined) return known;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return reject('not-json', 'frame is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return reject('not-object', 'frame is not a JSON object');
  const outer = raw as Record<string, unknown>;
  let stream: string | undefined;
  let data = outer;
  if (typeof outer['stream'] === 'string' && typeof outer['data'] === 'object' && outer['data'] !== null) {
    stream = outer['stream'];
    data = outer['data'] as Record<string, unknown>;
  }
  const event = payloadEvent(data);
  return 'ok' in event ? event : { ok: true, stream, event };
}

/** Parses an already decoded payload (the `data` of a combined-stream frame). */
export function parseBinancePayload(d: Record<string, unknown>): { ok: true; event: BinanceEvent } | FrameRejection {
  const event = payloadEvent(d);
  return 'ok' in event ? event : { ok: true, event };
}

/** The event of a payload, or why it is rejected (one object either way: this runs per frame). */
function payloadEvent(d: Record<string, unknown>): BinanceEvent | FrameRejection {
  const e = d['e'];
  if (e === 'trade' || e === 'aggTrade') {
    const id = e === 'trade' ? d['t'] : d['a'];
    if (!isSym(d['s']) || !isInt(id) || !isDecimalText(d['p']) || !isDecimalText(d['q']) || !isInt(d['T']) || !isInt(d['E']) || typeof d['m'] !== 'boolean') {
      return reject('bad-trade', `${e} frame lacks or mistypes s/${e === 'trade' ? 't' : 'a'}/p/q/T/E/m`);
    }
    return { kind: 'trade', symbol: d['s'], tradeId: id, aggregated: e === 'aggTrade', price: d['p'], qty: d['q'], time: d['T'], eventTime: d['E'], isBuyerMaker: d['m'] };
  }
  if (e === 'depthUpdate') {
    const bids = parseLevels(d['b']);
    const asks = parseLevels(d['a']);
    if (!isSym(d['s']) || !isInt(d['U']) || !isInt(d['u']) || !isInt(d['E']) || bids === null || asks === null || d['U'] > d['u']) {
      return reject('bad-depth', 'depthUpdate frame lacks or mistypes s/U/u/E/b/a (or U > u)');
    }
    return { kind: 'depth', symbol: d['s'], eventTime: d['E'], firstUpdateId: d['U'], finalUpdateId: d['u'], bids, asks };
  }
  if (e === 'kline') {
    const k = d['k'] as Record<string, unknown> | undefined;
    if (
      typeof k !== 'object' || k === null || !isSym(d['s']) || !isInt(d['E']) || !isInt(k['t']) || !isInt(k['T']) || typeof k['i'] !== 'string' ||
      !isDecimalText(k['o']) || !isDecimalText(k['h']) || !isDecimalText(k['l']) || !isDecimalText(k['c']) || !isDecimalText(k['v']) || typeof k['x'] !== 'boolean' || k['T'] < k['t']
    ) {
      return reject('bad-kline', 'kline frame lacks or mistypes s/E/k.t/k.T/k.i/k.o/k.h/k.l/k.c/k.v/k.x');
    }
    return {
      kind: 'kline', symbol: d['s'], eventTime: d['E'], interval: k['i'], openTime: k['t'], closeTime: k['T'] + 1,
      open: k['o'], high: k['h'], low: k['l'], close: k['c'], volume: k['v'], trades: isInt(k['n']) ? k['n'] : 0, closed: k['x'],
    };
  }
  if (e === undefined && 'u' in d && 'b' in d && 'a' in d) {
    if (!isSym(d['s']) || !isInt(d['u']) || !isDecimalText(d['b']) || !isDecimalText(d['B']) || !isDecimalText(d['a']) || !isDecimalText(d['A'])) {
      return reject('bad-book-ticker', 'bookTicker frame lacks or mistypes s/u/b/B/a/A');
    }
    return { kind: 'bookTicker', symbol: d['s'], updateId: d['u'], bidPrice: d['b'], bidQty: d['B'], askPrice: d['a'], askQty: d['A'] };
  }
  if (e === undefined && 'id' in d && ('result' in d || 'error' in d)) {
    if ('error' in d && d['error'] !== undefined && d['error'] !== null) return reject('exchange-error', `exchange replied with an error: ${JSON.stringify(d['error']).slice(0, 200)}`);
    return { kind: 'control', body: d };
  }
  return reject('unknown-event', `unexpected event type ${JSON.stringify(e ?? null)}`);
}
