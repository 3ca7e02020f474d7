import { MessageType, Streams, makeEnvelope } from '@btc-research/contracts';
import { RedisBus, createLogger } from '@btc-research/platform';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MarketPublisher } from './market-publisher.js';
import { RespStreamWriter } from './resp-stream-writer.js';

const REDIS_URL = (() => {
  const u = new URL(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  u.pathname = '/3';
  return u.toString();
})();
const tag = `${process.pid}-${Date.now()}`;
const keys = [`resp-test-${tag}`, `resp-wrongtype-${tag}`, Streams.trades(`RESP${process.pid}USDT`)];
const redis = new Redis(REDIS_URL);
const bus = new RedisBus({ redisUrl: REDIS_URL, logger: createLogger('resp-test', { level: 'silent' }) });
afterAll(async () => {
  await redis.del(...keys);
  redis.disconnect();
  await bus.close();
});

describe('RespStreamWriter', () => {
  it('appends entries the bus reads back, in order, with MAXLEN trimming, and fails only the command Redis rejects', async () => {
    const w = new RespStreamWriter(REDIS_URL);
    const env = (i: number) => makeEnvelope({ type: MessageType.trade, id: `t-${i}`, source: 'x', tsEvent: i, tsInit: i, payload: { venue: 'BINANCE', symbol: 'BTCUSDT', tradeId: String(i), price: '1.5', quantity: '2', time: i, isBuyerMaker: false } });
    await redis.set(keys[1]!, 'not a stream');
    const ids = await Promise.all(Array.from({ length: 3000 }, (_, i) => w.append(keys[0]!, { type: MessageType.trade, v: '1', data: JSON.stringify(env(i)) }, 100_000)));
    await expect(w.append(keys[1]!, { type: 't', v: '1', data: 'x' }, 10)).rejects.toThrow(/WRONGTYPE/);
    const after = await w.append(keys[0]!, { type: MessageType.trade, v: '1', data: JSON.stringify(env(3000)) }, 100_000);
    expect(new Set(ids).size).toBe(3000);
    expect(after > ids[ids.length - 1]!).toBe(true);
    const read = await bus.read(keys[0]!, '0', 5000);
    expect(read.map((e) => e.envelope.id)).toEqual(Array.from({ length: 3001 }, (_, i) => `t-${i}`));
    await w.append(keys[0]!, { type: MessageType.trade, v: '1', data: JSON.stringify(env(9)) }, 100);
    expect(Number(await redis.xlen(keys[0]!))).toBeLessThan(1000);
    await w.close();
    expect(w.broken).toBe(true);
    await expect(w.append(keys[0]!, { type: 't', v: '1', data: 'x' }, 10)).rejects.toThrow(/closed/);
  });

  it('a publisher whose writer cannot connect falls back to the bus without losing the entry', async () => {
    const publisher = new MarketPublisher(bus, 'test', Date.now, 1000, { redisUrl: 'redis://127.0.0.1:1/3' });
    const symbol = `RESP${process.pid}USDT`;
    await publisher.trade('BINANCE', symbol, { id: 1, price: '1', quantity: '1', time: 1, isBuyerMaker: true });
    await publisher.trade('BINANCE', symbol, { id: 2, price: '1', quantity: '1', time: 2, isBuyerMaker: true });
    const entries = await bus.read(Streams.trades(symbol), '0', 10);
    expect(entries.map((e) => e.envelope.id)).toEqual([`${symbol}-trade-1`, `${symbol}-trade-2`]);
    await publisher.close();
  });
});
