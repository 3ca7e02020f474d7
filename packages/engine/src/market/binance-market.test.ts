import { describe, expect, it } from 'vitest';
import { parseBinanceFrame } from './binance-frames.js';
import { parseDepthSnapshot, parseRestKlines, klineToCsvRow, retryDecision } from './binance-rest.js';
import { DepthBookSync, OrderBook } from './order-book.js';
import type { DepthUpdateEvent } from './binance-frames.js';

const diff = (U: number, u: number, b: Array<[string, string]> = [], a: Array<[string, string]> = []): DepthUpdateEvent => ({ kind: 'depth', symbol: 'BTCUSDT', eventTime: 1, firstUpdateId: U, finalUpdateId: u, bids: b, asks: a });

describe('parseBinanceFrame', () => {
  it('reads combined-stream and raw payloads of every subscribed kind', () => {
    expect(parseBinanceFrame('{"stream":"btcusdt@trade","data":{"e":"trade","E":2,"s":"BTCUSDT","t":7,"p":"1.50000000","q":"2.00000000","T":1,"m":false,"M":true}}')).toEqual({
      ok: true, stream: 'btcusdt@trade', event: { kind: 'trade', symbol: 'BTCUSDT', tradeId: 7, aggregated: false, price: '1.50000000', qty: '2.00000000', time: 1, eventTime: 2, isBuyerMaker: false },
    });
    expect(parseBinanceFrame('{"u":5,"s":"BTCUSDT","b":"1.0","B":"2.0","a":"1.1","A":"3.0"}')).toMatchObject({ ok: true, stream: undefined, event: { kind: 'bookTicker', updateId: 5 } });
    expect(parseBinanceFrame('{"result":null,"id":1}')).toMatchObject({ ok: true, event: { kind: 'control' } });
    const k = parseBinanceFrame('{"stream":"x","data":{"e":"kline","E":5,"s":"BTCUSDT","k":{"t":60000,"T":119999,"i":"1m","o":"1","h":"2","l":"0.5","c":"1.5","v":"3","n":4,"x":true}}}');
    expect(k).toMatchObject({ ok: true, event: { kind: 'kline', openTime: 60000, closeTime: 120000, closed: true, trades: 4 } });
  });

  it('classifies what it rejects and never throws', () => {
    const kinds = ['{', '[]', 'null', '{"e":"nope"}', '{"e":"trade","s":"BTCUSDT"}', '{"e":"depthUpdate","s":"BTCUSDT","E":1,"U":3,"u":2,"b":[],"a":[]}', '{"e":"depthUpdate","s":"BTCUSDT","E":1,"U":1,"u":2,"b":[["1e5","1"]],"a":[]}', '{"e":"kline","s":"BTCUSDT","E":1,"k":{}}', '{"u":1,"s":"BTCUSDT","b":"x","B":"1","a":"1","A":"1"}', '{"id":1,"error":{"code":2,"msg":"bad"}}'].map((t) => {
      const r = parseBinanceFrame(t);
      return r.ok ? 'ok' : r.kind;
    });
    expect(kinds).toEqual(['not-json', 'not-object', 'not-object', 'unknown-event', 'bad-trade', 'bad-depth', 'bad-depth', 'bad-kline', 'bad-book-ticker', 'exchange-error']);
  });
});

describe('DepthBookSync (Binance snapshot + diff procedure)', () => {
  it('buffers, drops diffs the snapshot covers, applies the bridging one and the rest in sequence', () => {
    const s = new DepthBookSync();
    expect(s.onDiff(diff(90, 95, [['10', '1']]))).toEqual({ action: 'buffered' });
    s.onDiff(diff(96, 101, [['10', '2']], [['11', '1']]));
    s.onDiff(diff(102, 103, [['9', '4']]));
    expect(s.onSnapshot({ lastUpdateId: 100, bids: [['10', '5'], ['8', '1']], asks: [['12', '1']] })).toEqual({ ok: true, applied: 2 });
    expect(s.book.levels()).toEqual({ bids: [['10', '2'], ['9', '4'], ['8', '1']], asks: [['11', '1'], ['12', '1']] });
    expect(s.onDiff(diff(104, 104, [['8', '0']]))).toEqual({ action: 'applied' });
    expect(s.onDiff(diff(100, 104))).toEqual({ action: 'ignored', reason: 'stale' });
    expect(s.book.bestBid()?.priceText).toBe('10');
    expect(s.book.bestAsk()?.priceText).toBe('11');
    expect(s.onDiff(diff(106, 107))).toEqual({ action: 'gap', expected: 105, got: 106 });
    expect(s.isSynced).toBe(false);
    expect(s.bufferedCount).toBe(1);
  });

  it('reports a snapshot too old to bridge the buffered diffs', () => {
    const s = new DepthBookSync();
    s.onDiff(diff(200, 210));
    expect(s.onSnapshot({ lastUpdateId: 150, bids: [], asks: [] })).toEqual({ ok: false, reason: 'gap', expected: 151, got: 200 });
  });

  it('top(n) equals the first n of the fully sorted book', () => {
    const b = new OrderBook();
    const bids: Array<[string, string]> = [];
    for (let i = 0; i < 300; i++) bids.push([(1000 - ((i * 37) % 300)).toFixed(2), '1']);
    b.reset({ lastUpdateId: 1, bids, asks: bids.map(([p, q]) => [(Number(p) + 500).toFixed(2), q] as [string, string]) });
    const all = b.levels();
    const t = b.top(20);
    expect(t.bids.map((l) => l.priceText)).toEqual(all.bids.slice(0, 20).map((l) => l[0]));
    expect(t.asks.map((l) => l.priceText)).toEqual(all.asks.slice(0, 20).map((l) => l[0]));
  });
});

describe('Binance REST helpers', () => {
  it('parses klines and depth and writes the 12-column archive row', () => {
    const [k] = parseRestKlines([[60000, '1.0', '2.0', '0.5', '1.5', '3.0', 119999, '4.5', 7, '1.0', '1.5', '0']]);
    expect(k).toMatchObject({ openTime: 60000, closeTime: 120000, close: '1.5', trades: 7 });
    expect(klineToCsvRow(k!)).toBe('60000,1.0,2.0,0.5,1.5,3.0,119999,4.5,7,1.0,1.5,0');
    expect(() => parseRestKlines([[60000, 'x', '2', '1', '1', '1', 119999]])).toThrow(/klines\[0\]\.open/);
    expect(parseDepthSnapshot({ lastUpdateId: 3, bids: [['1', '2']], asks: [] })).toEqual({ lastUpdateId: 3, bids: [['1', '2']], asks: [] });
    expect(() => parseDepthSnapshot({ bids: [], asks: [] })).toThrow(/lastUpdateId/);
  });

  it('honours Retry-After on 429/418, backs off on 5xx, gives up on other 4xx', () => {
    expect(retryDecision(429, '7', 1)).toEqual({ retry: true, delayMs: 7000, banned: false });
    expect(retryDecision(418, '120', 1)).toEqual({ retry: true, delayMs: 120000, banned: true });
    expect(retryDecision(429, null, 3, 500)).toEqual({ retry: true, delayMs: 4000, banned: false });
    expect(retryDecision(503, null, 2, 500)).toEqual({ retry: true, delayMs: 2000, banned: false });
    expect(retryDecision(400, '5', 1).retry).toBe(false);
  });
});
