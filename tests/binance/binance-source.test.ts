import { Streams, type MarketFeedStatusV1 } from '@btc-research/contracts';
import { waitFor } from '@btc-research/platform';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startBinanceSource, type BinanceSource, type BinanceSourceOptions } from '../../services/stream-manager/src/binance/binance-source.js';
import { MarketPublisher } from '../../services/stream-manager/src/market-publisher.js';
import { FakeBinanceServer, type FakeBinanceOptions } from '../../services/stream-manager/src/test-support/fake-binance-server.js';
import { allEntries, canon, candlesOf, deleteSymbolKeys, quietLogger, sequenceProblem, testBus, uniqueSymbol } from './support.js';

const START = Date.UTC(2024, 7, 8, 23, 50);
const bus = testBus();
const used: string[] = [];
let server: FakeBinanceServer | null = null;
let source: BinanceSource | null = null;

afterEach(async () => {
  await source?.stop();
  await server?.close();
  source = null;
  server = null;
});
afterAll(async () => {
  await deleteSymbolKeys(used);
  await bus.close();
});

async function setup(symbols: string[], serverOptions: Partial<FakeBinanceOptions> = {}, sourceOptions: Partial<BinanceSourceOptions> = {}) {
  used.push(...symbols);
  server = await FakeBinanceServer.start({ symbols, seed: 42, startTime: START, tickMs: 10, marketMsPerTick: 1000, ...serverOptions });
  const publisher = new MarketPublisher(bus, 'stream-manager-test', Date.now);
  source = await startBinanceSource({
    symbols, venue: 'binance', wsUrl: server.wsUrl, restUrl: server.url, publisher, logger: quietLogger(), requestedSource: 'binance',
    pingIntervalMs: 200, deadAfterMs: 1_000, reconnectBaseMs: 20, reconnectMaxMs: 200, restFallbackAfterMs: 300, restPollMs: 100,
    circuitOpenMs: 300, circuitMaxOpenMs: 1_000, statusIntervalMs: 200, restTimeoutMs: 2_000, restMaxAttempts: 4,
    ...sourceOptions,
  });
  return { server, source, publisher };
}

/** Stops the exchange, waits until everything it sent is processed, and checks candles and book. */
async function expectConsistent(srv: FakeBinanceServer, src: BinanceSource, symbol: string): Promise<void> {
  srv.pause();
  const klines = srv.market.closedKlines(symbol);
  const lastClosed = klines[klines.length - 1]!.openTime;
  const feed = src.feeds.get(symbol)!;
  await waitFor(() => feed.nextCandleOpenTime !== undefined && feed.nextCandleOpenTime > lastClosed, { timeoutMs: 15_000, what: `candles up to ${new Date(lastClosed).toISOString()}` });
  await feed.idle();
  const candles = await candlesOf(bus, symbol);
  expect(sequenceProblem(candles)).toBeNull();
  const byOpen = new Map(klines.map((k) => [k.openTime, k]));
  expect(candles.length).toBeGreaterThan(5);
  for (const c of candles) {
    const k = byOpen.get(c.openTime);
    expect(k, `exchange kline for ${c.openTime}`).toBeDefined();
    expect([c.open, c.high, c.low, c.close, c.volume]).toEqual([k!.open, k!.high, k!.low, k!.close, k!.volume.toFixed(8)].map(canon));
  }
  expect(candles[candles.length - 1]!.openTime).toBe(lastClosed);
  const ref = srv.market.depth(symbol, 5000);
  await waitFor(() => feed.bookSynced && feed.sync.book.lastUpdateId === ref.lastUpdateId, { timeoutMs: 15_000, what: 'book caught up with the exchange' });
  expect(feed.sync.book.levels()).toEqual({ bids: ref.bids, asks: ref.asks });
}

describe('Binance source against the local Binance server', () => {
  it('publishes gap-free candles equal to the exchange klines, trades, top of book, depth, and keeps the book equal to the reference', async () => {
    const symbol = uniqueSymbol();
    const { server: srv, source: src } = await setup([symbol]);
    await waitFor(() => src.status().state === 'live', { what: 'live' });
    await waitFor(() => srv.market.closedKlines(symbol).length >= 8, { timeoutMs: 15_000, what: '8 market minutes' });
    await expectConsistent(srv, src, symbol);
    expect((await allEntries(bus, Streams.trades(symbol))).length).toBeGreaterThan(100);
    expect((await allEntries(bus, Streams.bookTicker(symbol))).length).toBeGreaterThan(50);
    const depth = await allEntries(bus, Streams.bookDepth(symbol));
    expect(depth.length).toBeGreaterThan(3);
    const feed = src.feeds.get(symbol)!;
    expect(feed.counters.candlesFromKlines).toBeGreaterThan(0);
    expect(src.status()).toMatchObject({ source: 'binance', isSimulated: false, circuit: 'closed', transport: 'websocket', booksSynced: { [symbol]: true } });
  });

  it('survives 20 forced disconnects: no candle missing or duplicated, the rebuilt book equals the reference book', async () => {
    const symbol = uniqueSymbol();
    const { server: srv, source: src } = await setup([symbol]);
    await waitFor(() => src.status().state === 'live', { what: 'live' });
    for (let i = 0; i < 20; i++) {
      const before = srv.stats.connections;
      await waitFor(() => srv.connectedClients > 0 && src.activeConnectionId() !== null, { timeoutMs: 10_000, what: `connected before drop ${i + 1}` });
      // let some market time pass on the new connection, then cut it
      const t0 = srv.market.time;
      await waitFor(() => srv.market.time >= t0 + 20_000, { what: 'market time' });
      srv.dropConnections();
      await waitFor(() => srv.stats.connections > before, { timeoutMs: 10_000, what: `reconnect ${i + 1}` });
    }
    await waitFor(() => src.status().reconnects >= 20, { what: '20 reconnects counted' });
    // the exchange keeps streaming after the last reconnect (as a real one does) before it is stopped
    await waitFor(() => src.activeConnectionId() !== null, { timeoutMs: 10_000, what: 'connected after the last drop' });
    const t1 = srv.market.time;
    await waitFor(() => srv.market.time >= t1 + 30_000, { what: 'market time after the last reconnect' });
    await expectConsistent(srv, src, symbol);
    const feed = src.feeds.get(symbol)!;
    expect(feed.counters.bookResyncs).toBeGreaterThan(0);
    await src.publishStatus();
    const statuses = (await allEntries(bus, Streams.feedStatus())).map((e) => e.envelope.payload as MarketFeedStatusV1).filter((s) => s.symbols.includes(symbol));
    expect(statuses[statuses.length - 1]!.reconnects).toBeGreaterThanOrEqual(20);
  }, 90_000);
});
