import { describe, expect, it } from 'vitest';
import { parseBinanceFrame } from './frames.js';

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
