import { describe, expect, it } from 'vitest';
import { makeEnvelope, MessageDecodeError } from './codec.js';
import { fastParseMarketPayload } from './market-fast-parse.js';
import { MessageType, payloadSchema } from './registry.js';

const trade = { venue: 'BINANCE' as const, symbol: 'BTCUSDT', tradeId: '3735683259', price: '61837.63', quantity: '0.02', time: 1_723_161_255_342, isBuyerMaker: true };
const bookTicker = { venue: 'BINANCE', symbol: 'BTCUSDT', bidPrice: '61837.63', bidQty: '3.78826', askPrice: '61837.64', askQty: '1.54698', time: 1_723_161_255_343 };
const bookDepth = { venue: 'BINANCE', symbol: 'BTCUSDT', lastUpdateId: 50_093_239_207, bids: [['61837.63', '3.78826']], asks: [['61837.64', '1.54698'], ['61838.04', '0.32332']], time: 1_723_161_255_308 };

/** valid payloads in other key orders, with unknown fields, and invalid ones of every field */
const cases: Array<{ type: string; payloads: unknown[] }> = [
  {
    type: MessageType.trade,
    payloads: [
      trade, { ...trade, extra: 1 }, { isBuyerMaker: false, time: 0, quantity: '-1.5', price: '0', tradeId: '', symbol: 'AB', venue: 'SIMULATED' },
      { ...trade, venue: 'KRAKEN' }, { ...trade, symbol: 'btcusdt' }, { ...trade, tradeId: 7 }, { ...trade, price: '1e5' }, { ...trade, quantity: '01.0' },
      { ...trade, time: -1 }, { ...trade, time: 1.5 }, { ...trade, time: 2 ** 60 }, { ...trade, time: Number.NaN }, { ...trade, isBuyerMaker: 'true' },
      { ...trade, price: undefined }, null, [], 'trade',
    ],
  },
  {
    type: MessageType.bookTicker,
    payloads: [
      bookTicker, { time: 1, askQty: '0', askPrice: '2', bidQty: '0', bidPrice: '1', symbol: 'ETHBTC', venue: 'BINANCEUS', u: 5 },
      { ...bookTicker, bidPrice: '.5' }, { ...bookTicker, askQty: 1 }, { ...bookTicker, symbol: 'A' }, { ...bookTicker, time: '1' }, { ...bookTicker, venue: undefined },
    ],
  },
  {
    type: MessageType.bookDepth,
    payloads: [
      bookDepth, { ...bookDepth, bids: [], asks: [] }, { asks: [['1', '2']], time: 3, bids: [['0.5', '1']], lastUpdateId: 0, symbol: 'BTCUSDT', venue: 'BINANCE', other: [] },
      { ...bookDepth, bids: [['1', '2', '3']] }, { ...bookDepth, asks: [['1']] }, { ...bookDepth, asks: [['1', 2]] }, { ...bookDepth, bids: 'none' },
      { ...bookDepth, lastUpdateId: -1 }, { ...bookDepth, asks: [{ 0: '1', 1: '2', length: 2 }] },
    ],
  },
];

function viaZod(type: string, payload: unknown): { ok: true; json: string } | { ok: false } {
  const r = payloadSchema(type, 1)!.safeParse(payload);
  return r.success ? { ok: true, json: JSON.stringify(r.data) } : { ok: false };
}

describe('fastParseMarketPayload', () => {
  it('accepts only what the schema accepts, and then returns the same fields in the same order', () => {
    for (const { type, payloads } of cases) {
      for (const payload of payloads) {
        const fast = fastParseMarketPayload(type, payload);
        const zod = viaZod(type, payload);
        if (fast === undefined) continue; // the schema decides
        expect(zod, `${type} ${JSON.stringify(payload)}`).toEqual({ ok: true, json: JSON.stringify(fast) });
      }
    }
  });

  it('takes the fast path for the payloads the stream manager publishes', () => {
    expect(fastParseMarketPayload(MessageType.trade, trade)).toEqual(trade);
    expect(fastParseMarketPayload(MessageType.bookTicker, bookTicker)).toEqual(bookTicker);
    const depth = fastParseMarketPayload(MessageType.bookDepth, bookDepth) as typeof bookDepth;
    expect(depth).toEqual(bookDepth);
    expect(depth.bids[0]).not.toBe(bookDepth.bids[0]); // levels copied, as zod copies tuples
    expect(fastParseMarketPayload(MessageType.candleClosed, {})).toBeUndefined();
  });
});

describe('makeEnvelope with market payloads', () => {
  it('rejects a bad payload with the schema error code, message and path', () => {
    const bad = (payload: unknown) => {
      try {
        makeEnvelope({ type: MessageType.trade, id: 'x', source: 's', tsEvent: 1, tsInit: 1, payload: payload as typeof trade });
      } catch (err) {
        return err instanceof MessageDecodeError ? { code: err.code, message: err.message, path: err.path } : err;
      }
      return 'accepted';
    };
    expect(bad({ ...trade, price: '1e5' })).toEqual({ code: 'INVALID_PAYLOAD', message: `${MessageType.trade}: expected a decimal string such as "123.45"`, path: 'price' });
    expect(bad({ ...trade, symbol: 'btc' })).toEqual({ code: 'INVALID_PAYLOAD', message: `${MessageType.trade}: expected an upper-case symbol such as BTCUSDT`, path: 'symbol' });
    expect(bad(trade)).toBe('accepted');
  });
});
