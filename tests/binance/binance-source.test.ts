import { FakeBinanceServer, type FakeBinanceOptions } from '@btc-research/binance/testing';
import { Streams, type MarketFeedStatusV1 } from '@btc-research/contracts';
import { waitFor } from '@btc-research/platform';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startBinanceSource, type BinanceSource, type BinanceSourceOptions } from '../../services/stream-manager/src/binance/binance-source.js';
import { MarketPublisher } from '../../services/stream-manager/src/market-publisher.js';
import { allEntries, canon, confirmedInOrder, deleteSymbolKeys, quietLogger, sequenceProblem, testBus, uniqueSymbol } from './support.js';

const START = Date.UTC(2024, 7, 8, 23, 50);
const bus = testBus();
const used: string[] = [];
let server: FakeBinanceServer | null = null;
let source: BinanceSource | null = null;
let publisherInUse: MarketPublisher | null = null;

afterEach(async () => {
  await source?.stop();
  await publisherInUse?.close();
  await server?.close();
  publisherInUse = null;
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
  publisherInUse = publisher;
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
  // without a closed kline, a minute is final once market time is 5 s (graceMs) past its close;
  // the stopped exchange's clock may not get there for its last minute
  const lastFinal = klines.filter((k) => k.openTime + 60_000 + 5_000 <= srv.market.time).at(-1)!.openTime;
  const feed = src.feeds.get(symbol)!;
  // a minute REST was slow to confirm went out provisional: what counts is what strategies get, confirmed
  await waitFor(() => feed.nextConfirmedOpenTime !== undefined && feed.nextConfirmedOpenTime > lastFinal, { timeoutMs: 15_000, what: `candles up to ${new Date(lastFinal).toISOString()}` });
  await feed.idle();
  const candles = confirmedInOrder(await allEntries(bus, Streams.candles(symbol)));
  expect(sequenceProblem(candles)).toBeNull();
  const byOpen = new Map(klines.map((k) => [k.openTime, k]));
  expect(candles.length).toBeGreaterThanOrEqual(2);
  for (const c of candles) {
    const k = byOpen.get(c.openTime);
    expect(k, `exchange kline for ${c.openTime}`).toBeDefined();
    expect([c.open, c.high, c.low, c.close, c.volume]).toEqual([k!.open, k!.high, k!.low, k!.close, k!.volume.toFixed(8)].map(canon));
  }
  expect([lastFinal, lastClosed]).toContain(candles[candles.length - 1]!.openTime);
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

  it('builds candles from trades when there is no kline stream and backfills every minute a disconnect voided from REST', async () => {
    const symbol = uniqueSymbol();
    const { server: srv, source: src } = await setup([symbol], { klines: false });
    await waitFor(() => src.status().state === 'live', { what: 'live' });
    for (let i = 0; i < 5; i++) {
      const t0 = srv.market.time;
      await waitFor(() => srv.market.time >= t0 + 150_000, { what: "market time" });
      const before = srv.stats.connections;
      srv.dropConnections();
      await waitFor(() => srv.stats.connections > before && src.activeConnectionId() !== null, { timeoutMs: 10_000, what: 'reconnect' });
    }
    const t1 = srv.market.time;
    await waitFor(() => srv.market.time >= t1 + 120_000, { what: 'market time' });
    await expectConsistent(srv, src, symbol);
    const c = src.feeds.get(symbol)!.counters;
    expect(c.candlesFromKlines).toBe(0);
    expect(c.candlesFromTrades).toBeGreaterThan(3);
    expect(c.backfilledCandles).toBeGreaterThanOrEqual(5);
    expect(srv.stats.restRequests['/api/v3/klines']).toBeGreaterThanOrEqual(5);
  }, 60_000);

  it('detects a stalled connection (no frames, no pongs), reconnects, and resyncs the book', async () => {
    const symbol = uniqueSymbol();
    const { server: srv, source: src } = await setup([symbol], {}, { deadAfterMs: 400, pingIntervalMs: 100 });
    await waitFor(() => src.status().state === 'live' && src.feeds.get(symbol)!.bookSynced, { what: 'live and synced' });
    const before = srv.stats.connections;
    srv.setStalled(true);
    await waitFor(() => src.activeConnectionId() === null, { timeoutMs: 5_000, what: 'dead connection dropped' });
    srv.setStalled(false);
    await waitFor(() => srv.stats.connections > before && src.activeConnectionId() !== null, { timeoutMs: 5_000, what: 'reconnected' });
    const t1 = srv.market.time;
    await waitFor(() => srv.market.time >= t1 + 120_000, { what: 'market time' });
    await expectConsistent(srv, src, symbol);
    expect(src.feeds.get(symbol)!.counters.bookResyncs).toBeGreaterThanOrEqual(1);
    expect(src.status().reconnects).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('resyncs the book from a new snapshot on a depth sequence gap', async () => {
    const symbol = uniqueSymbol();
    const { server: srv, source: src } = await setup([symbol]);
    const feed = () => src.feeds.get(symbol)!;
    await waitFor(() => feed().bookSynced, { what: 'synced' });
    const snapshotsBefore = srv.stats.restRequests['/api/v3/depth'] ?? 0;
    srv.withholdDepthDiffs(1);
    await waitFor(() => feed().counters.bookResyncs === 1, { what: 'gap detected' });
    await waitFor(() => feed().bookSynced && (srv.stats.restRequests['/api/v3/depth'] ?? 0) > snapshotsBefore, { what: 'resynced from a snapshot' });
    srv.withholdDepthDiffs(3);
    await waitFor(() => feed().counters.bookResyncs >= 2 && feed().bookSynced, { what: 'second resync' });
    const t1 = srv.market.time;
    await waitFor(() => srv.market.time >= t1 + 150_000, { what: 'market time' });
    await expectConsistent(srv, src, symbol);
    expect(src.status().bookResyncs).toBeGreaterThanOrEqual(2);
  });

  it('counts malformed and unexpected frames by kind in the feed status, drops them and keeps going', async () => {
    const symbol = uniqueSymbol();
    const { server: srv, source: src } = await setup([symbol]);
    await waitFor(() => src.status().state === 'live', { what: 'live' });
    for (let i = 0; i < 5; i++) {
      srv.sendRaw('{"stream":"x@trade","data":{"e":"trade","s":"' + symbol + '","t":"not-a-number"}}');
      srv.sendRaw('not json at all {');
      srv.sendRaw('{"stream":"x","data":{"e":"somethingNew","E":1}}');
      srv.sendRaw('[1,2,3]');
      srv.sendRaw(JSON.stringify({ stream: 'zzzusdt@trade', data: { e: 'trade', E: 1, s: 'ZZZUSDT', t: 1, p: '1.0', q: '1.0', T: 1, m: true, M: true } }));
      srv.sendRaw('{"stream":"x@depth","data":{"e":"depthUpdate","E":1,"s":"' + symbol + '","U":10,"u":5,"b":[],"a":[]}}');
    }
    await waitFor(() => src.frames.total >= 30, { what: 'bad frames counted' });
    expect(src.frames.dropped).toEqual({ 'bad-trade': 5, 'not-json': 5, 'unknown-event': 5, 'not-object': 5, 'unknown-symbol': 5, 'bad-depth': 5 });
    expect(src.status().droppedFrames).toEqual(src.frames.dropped);
    const t1 = srv.market.time;
    await waitFor(() => srv.market.time >= t1 + 150_000, { what: 'market time' });
    await expectConsistent(srv, src, symbol);
  });

  it('waits out REST 429/418 Retry-After and retries 5xx while backfilling, then fills the gap', async () => {
    const symbol = uniqueSymbol();
    const { server: srv, source: src } = await setup([symbol], { klines: false });
    await waitFor(() => src.status().state === 'live', { what: 'live' });
    srv.restFaults.push({ path: '/api/v3/klines', status: 429, retryAfterSec: 1 }, { path: '/api/v3/klines', status: 503 }, { path: '/api/v3/klines', status: 418, retryAfterSec: 1 });
    const before = srv.stats.connections;
    srv.dropConnections();
    await waitFor(() => srv.stats.connections > before, { what: 'reconnect' });
    const started = Date.now();
    await waitFor(() => srv.stats.faultsServed === 3, { timeoutMs: 20_000, what: 'faults served' });
    await waitFor(() => src.feeds.get(symbol)!.counters.backfilledCandles >= 1, { timeoutMs: 20_000, what: 'backfill after the faults' });
    // two Retry-After: 1 s waits were honoured before the successful request
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    expect(src.rest.counters).toMatchObject({ rateLimited: 2, banned: 1, serverErrors: 1 });
    expect(src.status().rateLimited).toBe(2);
    await expectConsistent(srv, src, symbol);
  }, 60_000);

  it('opens the circuit after refused connections, keeps candles coming by REST polling, marks stale when REST fails too, and recovers', async () => {
    const symbol = uniqueSymbol();
    // every state published as it happens (debouncing is covered in feed-status.test.ts)
    const { server: srv, source: src } = await setup([symbol], {}, { circuitFailureThreshold: 3, circuitOpenMs: 1_500, reconnectBaseMs: 10, reconnectMaxMs: 50, stateDebounceMs: 0 });
    await waitFor(() => src.status().state === 'live', { what: 'live' });
    srv.rejectConnections(1_000_000);
    srv.dropConnections();
    await waitFor(() => src.status().circuit === 'open', { timeoutMs: 20_000, what: 'circuit open' });
    await waitFor(() => src.status().transport === 'rest', { timeoutMs: 20_000, what: 'REST polling' });
    const feed = src.feeds.get(symbol)!;
    const polledFrom = feed.counters.backfilledCandles;
    await waitFor(() => feed.counters.backfilledCandles >= polledFrom + 2, { timeoutMs: 20_000, what: 'candles from REST polling' });
    expect(src.status().state).toBe('degraded');
    // REST down as well: last cached data, flagged stale
    for (let i = 0; i < 200; i++) srv.restFaults.push({ status: 500 });
    await waitFor(() => src.status().state === 'stale' && src.status().transport === 'cache', { timeoutMs: 20_000, what: 'stale' });
    srv.restFaults.length = 0;
    srv.rejectConnections(-srv.stats.rejectedConnections - 1_000_000);
    await waitFor(() => src.status().state === 'live' && src.status().circuit === 'closed', { timeoutMs: 20_000, what: 'recovered' });
    const t1 = srv.market.time;
    await waitFor(() => srv.market.time >= t1 + 150_000, { what: 'market time' });
    await expectConsistent(srv, src, symbol);
    const statuses = (await allEntries(bus, Streams.feedStatus())).map((e) => e.envelope.payload as MarketFeedStatusV1).filter((s) => s.symbols.includes(symbol));
    const seen = new Set(statuses.map((s) => `${s.state}/${s.circuit}/${s.transport ?? ''}`));
    expect([...seen]).toEqual(expect.arrayContaining(['live/closed/websocket', 'degraded/open/rest', 'stale/open/cache']));
  }, 60_000);

  it('rotates the connection before its age limit (make-before-break) without losing or duplicating anything', async () => {
    const symbol = uniqueSymbol();
    const { server: srv, source: src } = await setup([symbol], {}, { maxConnectionAgeMs: 300 });
    await waitFor(() => src.connectionsOpened >= 8, { timeoutMs: 15_000, what: 'several rotations' });
    const t1 = srv.market.time;
    await waitFor(() => srv.market.time >= t1 + 60_000, { what: 'market time' });
    const feed = src.feeds.get(symbol)!;
    await expectConsistent(srv, src, symbol);
    expect(feed.counters.tradeIdGaps).toBe(0);
    expect(feed.counters.bookResyncs).toBe(0);
    expect(feed.counters.backfilledCandles).toBe(0);
    expect(feed.counters.duplicateTrades).toBeGreaterThan(0);
    expect(src.status().reconnects).toBe(0);
    expect(src.rotations).toBeGreaterThanOrEqual(5);
    const trades = (await allEntries(bus, Streams.trades(symbol))).map((e) => Number((e.envelope.payload as { tradeId: string }).tradeId));
    expect(new Set(trades).size).toBe(trades.length);
    expect(trades[trades.length - 1]! - trades[0]! + 1).toBe(trades.length);
  });

  it('serves several symbols on one connection with aggTrade streams', async () => {
    const symbols = [uniqueSymbol('A'), uniqueSymbol('B')];
    const { server: srv, source: src } = await setup(symbols, { aggTrade: true }, { tradeStream: 'aggTrade' });
    await waitFor(() => symbols.every((s) => src.feeds.get(s)!.bookSynced), { what: 'both books synced' });
    await waitFor(() => srv.market.closedKlines(symbols[1]!).length >= 6, { timeoutMs: 10_000, what: 'market minutes' });
    expect(srv.connectedClients).toBe(1);
    for (const s of symbols) await expectConsistent(srv, src, s);
  });
});
