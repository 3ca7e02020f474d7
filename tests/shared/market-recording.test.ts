/**
 * The real Binance recordings in ../shared/data (third-party, read in place, never copied):
 * the 11-minute BTCUSDT spot session replayed through the live client's parser, symbol feed and
 * publisher must rebuild the order book exactly as an independent application of the recorded
 * snapshot and diffs does, build the same candles as the trades file, and drop nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parseBinanceFrame } from '@btc-research/binance';
import { Streams, type MarketCandleClosedV1 } from '@btc-research/contracts';
import { InProcessBus, createLogger } from '@btc-research/platform';
import { describe, expect, it } from 'vitest';
import { MarketPublisher } from '../../services/stream-manager/src/market-publisher.js';
import { startRecordedReplaySource } from '../../services/stream-manager/src/sources/recorded-replay.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const data = (p: string): string => {
  const full = resolve(repoRoot, '../shared/data', p);
  if (!existsSync(full)) throw new Error(`recording expected at ${full} (../shared next to the repository)`);
  return full;
};
const SESSION = data('ws-fixtures/binance_spot_btcusdt_stream_2024-08-08T2354Z_11min.jsonl.gz');
const MULTI = data('ws-fixtures/binance_spot_multi_2021-08-14_cryptofeed.jsonl');
const SAMPLES = data('ws-fixtures/binance_spot_message_samples.json');
const SNAPSHOT = data('book/binance_spot_btcusdt_depth_snapshot_2024-08-08T2354Z.json');
const DIFFS = data('book/binance_spot_btcusdt_depth_diffs_2024-08-08T2354Z_11min.jsonl.gz');
const TRADES = data('trades/binance_spot_btcusdt_trades_2024-08-08T2354Z_11min.csv');
const TRADES_2021 = data('trades/binance_spot_btcusdt_trades_2021-01-08T0000Z_46s.csv');

const logger = createLogger('market-recording-test', { level: 'silent' });

async function replay(file: string, format: 'ws-session' | 'trades', symbols: string[]) {
  const bus = new InProcessBus({ logger });
  const publisher = new MarketPublisher(bus, 'replay-test', () => 0);
  const src = await startRecordedReplaySource({ file, format, symbols, speed: 0, publisher, logger });
  await src.done;
  return { bus, publisher, src };
}

/** The documented procedure written out independently: snapshot, drop u ≤ lastUpdateId, apply in order, check continuity. */
function referenceBook(): { bids: Array<[string, string]>; asks: Array<[string, string]>; lastUpdateId: number } {
  const snap = (JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as { snapshot: { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] } }).snapshot;
  const bids = new Map(snap.bids);
  const asks = new Map(snap.asks);
  let last = snap.lastUpdateId;
  let first = true;
  for (const line of gunzipSync(readFileSync(DIFFS)).toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    const d = JSON.parse(line) as { U: number; u: number; b: [string, string][]; a: [string, string][] };
    if (d.u <= last) continue;
    if (first) expect(d.U <= last + 1 && d.u >= last + 1).toBe(true);
    else expect(d.U).toBe(last + 1);
    first = false;
    for (const [side, levels] of [[bids, d.b], [asks, d.a]] as const) {
      for (const [p, q] of levels) {
        if (Number(q) === 0) side.delete(p);
        else side.set(p, q);
      }
    }
    last = d.u;
  }
  return {
    bids: [...bids].sort((x, y) => Number(y[0]) - Number(x[0])),
    asks: [...asks].sort((x, y) => Number(x[0]) - Number(y[0])),
    lastUpdateId: last,
  };
}

const canon = (n: number): string => n.toFixed(8).replace(/\.?0+$/, '');

describe('the real 11-minute BTCUSDT recording', () => {
  it('rebuilds the book exactly as the recorded snapshot plus diffs give it, with no gap, resync or dropped frame', async () => {
    const { src, bus } = await replay(SESSION, 'ws-session', ['BTCUSDT']);
    const feed = src.feeds.get('BTCUSDT')!;
    expect(src.processed).toBe(99_573);
    expect(src.frames.total).toBe(0);
    expect(feed.counters).toMatchObject({ bookResyncs: 0, snapshots: 1, trades: 19_904, tradeIdGaps: 0, bookTickers: 73_174 });
    const ref = referenceBook();
    expect(feed.sync.book.lastUpdateId).toBe(ref.lastUpdateId);
    const ours = feed.sync.book.levels();
    expect(ours.bids).toEqual(ref.bids);
    expect(ours.asks).toEqual(ref.asks);
    expect(ours.bids.length).toBeGreaterThan(900);
    // top of book agrees with the last bookTicker for the same update id or later
    expect(Number(ours.bids[0]![0])).toBeLessThan(Number(ours.asks[0]![0]));
    expect((await bus.readLatest(Streams.bookDepth('BTCUSDT'), 1)).length).toBe(1);
    await bus.close();
  });

  it('builds the same 1m candles from the stream as the trades file gives, every full minute once and in order', async () => {
    const { bus, src } = await replay(SESSION, 'ws-session', ['BTCUSDT']);
    const candles = (await bus.read(Streams.candles('BTCUSDT'), '0', 1000)).map((e) => e.envelope.payload as MarketCandleClosedV1);
    // independent aggregation of the trades CSV
    const byMinute = new Map<number, { o: number; h: number; l: number; c: number; v: number }>();
    for (const line of readFileSync(TRADES, 'utf8').split('\n').slice(1)) {
      if (line.trim() === '') continue;
      const [, p, q, , t] = line.split(',');
      const m = Math.floor(Number(t) / 60_000) * 60_000;
      const price = Number(p);
      const k = byMinute.get(m);
      if (!k) byMinute.set(m, { o: price, h: price, l: price, c: price, v: Number(q) });
      else {
        k.h = Math.max(k.h, price);
        k.l = Math.min(k.l, price);
        k.c = price;
        k.v += Number(q);
      }
    }
    const minutes = [...byMinute.keys()].sort((a, b) => a - b);
    // the first minute is partial (recording starts 23:54:13) and the last has not closed: neither is published
    const full = minutes.slice(1, -1);
    expect(candles.map((c) => c.openTime)).toEqual(full);
    for (const c of candles) {
      const k = byMinute.get(c.openTime)!;
      expect([c.open, c.high, c.low, c.close]).toEqual([k.o, k.h, k.l, k.c].map(canon));
      expect(Number(c.volume)).toBeCloseTo(k.v, 8);
      expect(c.origin).toBe('live');
    }
    expect(src.feeds.get('BTCUSDT')!.counters.unavailableMinutes).toBe(1);
    await bus.close();
  });

  it('replays the trades CSV through the same path to the same candles', async () => {
    const fromStream = await replay(SESSION, 'ws-session', ['BTCUSDT']);
    const fromCsv = await replay(TRADES, 'trades', ['BTCUSDT']);
    const a = (await fromStream.bus.read(Streams.candles('BTCUSDT'), '0', 1000)).map((e) => e.envelope.payload);
    const b = (await fromCsv.bus.read(Streams.candles('BTCUSDT'), '0', 1000)).map((e) => e.envelope.payload);
    expect(b).toEqual(a);
    expect(fromCsv.src.frames.total).toBe(0);
    const old = await replay(TRADES_2021, 'trades', ['BTCUSDT']);
    expect(old.src.processed).toBe(2_001);
    expect(old.src.feeds.get('BTCUSDT')!.counters.trades).toBe(2_001);
    for (const r of [fromStream, fromCsv, old]) await r.bus.close();
  });
});

describe('the cryptofeed multi-symbol recording and the message samples', () => {
  it('parses kline_1m, aggTrade, bookTicker and depth frames of four symbols and publishes closed klines as candles', async () => {
    const symbols = ['FTMUSDT', 'SXPBTC', 'BADGERBTC', 'XMRBTC'];
    const { bus, src } = await replay(MULTI, 'ws-session', symbols);
    expect(src.frames.total).toBe(0);
    expect(src.processed).toBe(1_003);
    const closed = readFileSync(MULTI, 'utf8').split('\n').filter((l) => l.includes('kline') && l.includes('\\"x\\":true')).length;
    expect(closed).toBeGreaterThan(0);
    let published = 0;
    for (const s of symbols) published += (await bus.read(Streams.candles(s), '0', 100)).length;
    expect(published).toBe(closed);
    expect(symbols.reduce((n, s) => n + src.feeds.get(s)!.counters.klinesClosed, 0)).toBe(closed);
    await bus.close();
  });

  it('parses every sample to the values in its text', () => {
    const samples = (JSON.parse(readFileSync(SAMPLES, 'utf8')) as { samples: Record<string, { raw: string }> }).samples;
    const parsed = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, parseBinanceFrame(v.raw)]));
    expect(parsed['trade']).toMatchObject({ ok: true, event: { kind: 'trade', symbol: 'BTCUSDT', tradeId: 3735683259, price: '61837.63000000', qty: '0.02000000', time: 1723161255342, isBuyerMaker: true } });
    expect(parsed['aggTrade']).toMatchObject({ ok: true, event: { kind: 'trade', aggregated: true, symbol: 'FTMUSDT', tradeId: 31718372 } });
    expect(parsed['bookTicker']).toMatchObject({ ok: true, event: { kind: 'bookTicker', updateId: 50093239212, bidPrice: '61837.63000000', askPrice: '61837.64000000' } });
    expect(parsed['depthUpdate_100ms']).toMatchObject({ ok: true, event: { kind: 'depth', firstUpdateId: 50093239189, finalUpdateId: 50093239202 } });
    expect(parsed['kline_1m_open']).toMatchObject({ ok: true, event: { kind: 'kline', closed: false, openTime: 1628952360000, closeTime: 1628952420000 } });
    expect(parsed['kline_1m_closed']).toMatchObject({ ok: true, event: { kind: 'kline', closed: true, close: '0.33964000', volume: '209224.30000000', trades: 82 } });
  });
});
