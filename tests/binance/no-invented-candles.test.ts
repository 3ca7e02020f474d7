/**
 * Never invent a candle (issue 16, deliverable 1), against the local Binance-protocol server: whole
 * minutes whose trade and kline frames never arrive while the connection stays up (book frames keep
 * the clock moving), and single trades lost here and there. Before the fix, 5 skipped minutes gave
 * 4 flat zero-volume candles published as live; now every published candle equals the exchange's.
 * And never stop publishing while REST is down: REST klines answer 503 for a while, closed klines
 * stop coming and trades go missing, so minutes cannot be confirmed. They are published provisional
 * (what the stream saw of them), the feed status counts them, and once REST answers again the
 * corrections carry the exchange's values, in minute order; the paper trader's market log takes only
 * confirmed candles, every one equal to the exchange's.
 */
import { FakeBinanceServer } from '@btc-research/binance/testing';
import { MessageType, Streams, isMessage, type MarketCandleClosedV1, type MarketCandleCorrectedV1 } from '@btc-research/contracts';
import { waitFor } from '@btc-research/platform';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { toMarketEvent } from '../../services/paper-trader/src/market-log.js';
import { startBinanceSource, type BinanceSource } from '../../services/stream-manager/src/binance/binance-source.js';
import { MarketPublisher } from '../../services/stream-manager/src/market-publisher.js';
import { allEntries, canon, candlesOf, confirmedInOrder, deleteSymbolKeys, quietLogger, sequenceProblem, testBus, uniqueSymbol } from './support.js';

const START = Date.UTC(2025, 5, 2, 11, 30);
const M = 60_000;
const bus = testBus();
const used: string[] = [];
let server: FakeBinanceServer | null = null;
let source: BinanceSource | null = null;
let publisher: MarketPublisher | null = null;

afterEach(async () => {
  await source?.stop();
  await publisher?.close();
  await server?.close();
  source = null;
  publisher = null;
  server = null;
});
afterAll(async () => {
  await deleteSymbolKeys(used);
  await bus.close();
});

/** The local Binance and a source on it, live, with two closed market minutes. */
async function startLive(symbol: string, seed: number, startTime: number, rest: { restTimeoutMs: number; restMaxAttempts: number }): Promise<{ srv: FakeBinanceServer; src: BinanceSource }> {
  const srv = await FakeBinanceServer.start({ symbols: [symbol], seed, startTime, tickMs: 10, marketMsPerTick: 1000 });
  server = srv;
  publisher = new MarketPublisher(bus, 'no-invented-candles-test', Date.now);
  const src = await startBinanceSource({
    symbols: [symbol], venue: 'binance', wsUrl: srv.wsUrl, restUrl: srv.url, publisher, logger: quietLogger(), requestedSource: 'binance',
    pingIntervalMs: 200, deadAfterMs: 5_000, reconnectBaseMs: 20, reconnectMaxMs: 200, restFallbackAfterMs: 300, restPollMs: 100,
    statusIntervalMs: 500, ...rest,
  });
  source = src;
  await waitFor(() => src.status().state === 'live', { timeoutMs: 15_000, what: 'live' });
  await waitFor(() => srv.market.closedKlines(symbol).length >= 2, { timeoutMs: 15_000, what: 'two market minutes' });
  return { srv, src };
}

describe('skipped minutes and trade gaps', () => {
  it('every published candle equals the exchange kline: missing minutes come from REST, none is made up', async () => {
    const symbol = uniqueSymbol('N');
    used.push(symbol);
    const { srv, src } = await startLive(symbol, 16, START, { restTimeoutMs: 2_000, restMaxAttempts: 4 });
    // three times: 5 whole minutes without trade or kline frames, then trades lost one by one
    for (let round = 0; round < 3; round++) {
      srv.skipTradeAndKlineMinutes(5);
      const skipEnd = srv.market.time + 5 * 60_000;
      await waitFor(() => srv.market.time > skipEnd + 30_000, { timeoutMs: 20_000, what: 'the skipped minutes to pass' });
      for (let i = 0; i < 5; i++) {
        srv.withholdTrades(1 + i);
        const t = srv.market.time;
        await waitFor(() => srv.market.time >= t + 20_000, { timeoutMs: 10_000, what: 'market time' });
      }
    }
    expect(srv.stats.tradeFramesWithheld).toBeGreaterThan(0);
    expect(srv.stats.klineFramesWithheld).toBeGreaterThanOrEqual(15);

    srv.pause();
    const klines = srv.market.closedKlines(symbol);
    const lastFinal = klines.filter((k) => k.openTime + 60_000 + 5_000 <= srv.market.time).at(-1)!.openTime;
    const feed = src.feeds.get(symbol)!;
    await waitFor(() => feed.nextCandleOpenTime !== undefined && feed.nextCandleOpenTime > lastFinal, { timeoutMs: 20_000, what: 'every final minute published' });
    await feed.idle();
    const candles = await candlesOf(bus, symbol);
    expect(sequenceProblem(candles)).toBeNull();
    expect(candles.length).toBeGreaterThanOrEqual(20);
    const byOpen = new Map(klines.map((k) => [k.openTime, k]));
    for (const c of candles) {
      const k = byOpen.get(c.openTime);
      expect(k, `exchange kline for ${new Date(c.openTime).toISOString()}`).toBeDefined();
      expect([c.open, c.high, c.low, c.close, c.volume], new Date(c.openTime).toISOString()).toEqual([k!.open, k!.high, k!.low, k!.close, k!.volume.toFixed(8)].map(canon));
      expect(c.synthetic).toBe(false);
    }
    expect(candles.filter((c) => c.origin === 'backfill').length).toBeGreaterThanOrEqual(15); // the skipped minutes came from REST
  }, 90_000);
});

describe('minutes the exchange cannot confirm while REST fails', () => {
  it('are published provisional, shown in the feed status, then corrected to the exchange values; strategies get only confirmed candles', async () => {
    const symbol = uniqueSymbol('P');
    used.push(symbol);
    const { srv, src } = await startLive(symbol, 31, START + 600 * M, { restTimeoutMs: 1_000, restMaxAttempts: 2 });
    const feed = src.feeds.get(symbol)!;

    // REST klines fail; for 4 minutes no closed kline comes, and trades go missing now and then
    srv.setRestFailure({ path: '/api/v3/klines', status: 503 });
    srv.withholdKlineMinutes(4);
    const until = srv.market.time + 4 * M;
    while (srv.market.time < until) {
      srv.withholdTrades(2);
      const t = srv.market.time;
      await waitFor(() => srv.market.time >= t + 25_000, { timeoutMs: 10_000, what: 'market time' });
    }
    // then closed klines come again, but the provisional minutes hold the later ones back
    await waitFor(async () => (await candlesOn(symbol)).filter((c) => c.provisional).length >= 5, { timeoutMs: 30_000, what: 'provisional candles' });
    expect(feed.unconfirmedMinutes).toBeGreaterThanOrEqual(5);
    expect(src.status().unconfirmedMinutes?.[symbol]).toBeGreaterThanOrEqual(5);
    expect(feed.lastError).toContain('503');
    expect(confirmedInOrder(await allEntries(bus, Streams.candles(symbol))).at(-1)!.openTime).toBeLessThan((await candlesOn(symbol)).at(-1)!.openTime);

    // REST answers again: every unconfirmed minute is corrected, in order
    srv.setRestFailure(null);
    await waitFor(() => feed.unconfirmedMinutes === 0, { timeoutMs: 30_000, what: 'every provisional minute confirmed' });
    srv.pause();
    const klines = srv.market.closedKlines(symbol);
    const lastFinal = klines.filter((k) => k.openTime + M + 5_000 <= srv.market.time).at(-1)!.openTime;
    await waitFor(() => feed.nextConfirmedOpenTime !== undefined && feed.nextConfirmedOpenTime > lastFinal, { timeoutMs: 20_000, what: 'every final minute confirmed' });
    await feed.idle();
    expect(src.status().unconfirmedMinutes?.[symbol]).toBe(0);

    const entries = await allEntries(bus, Streams.candles(symbol));
    const corrections = entries.map((e) => e.envelope).filter((e) => isMessage(e, MessageType.candleCorrected)).map((e) => e.payload as MarketCandleCorrectedV1);
    expect(corrections.filter((c) => c.changed && c.confirmedBy === 'rest').length).toBeGreaterThanOrEqual(1); // a provisional candle was wrong and is put right
    const byOpen = new Map(klines.map((k) => [k.openTime, k]));
    const exchangeValues = (openTime: number) => {
      const k = byOpen.get(openTime)!;
      return [k.open, k.high, k.low, k.close, k.volume.toFixed(8)].map(canon);
    };
    // what the paper trader's market log takes: confirmed candles only, each minute once, in order, the exchange's values
    const logged = entries.map((e) => toMarketEvent(e)).filter((e) => e !== null && e.event.kind === 'candle').map((e) => e!.event.data as { openTime: number; open: string; high: string; low: string; close: string; volume: string });
    for (let i = 1; i < logged.length; i++) expect(logged[i]!.openTime - logged[i - 1]!.openTime, new Date(logged[i]!.openTime).toISOString()).toBe(M);
    for (const c of logged) expect([c.open, c.high, c.low, c.close, c.volume], new Date(c.openTime).toISOString()).toEqual(exchangeValues(c.openTime));
    const provisionalMinutes = (await candlesOn(symbol)).filter((c) => c.provisional).map((c) => c.openTime);
    expect(logged.length).toBeGreaterThan(provisionalMinutes.length);
    for (const t of provisionalMinutes) expect(logged.some((c) => c.openTime === t), `the provisional minute ${new Date(t).toISOString()} confirmed`).toBe(true);
  }, 90_000);
});

async function candlesOn(symbol: string): Promise<MarketCandleClosedV1[]> {
  return (await allEntries(bus, Streams.candles(symbol))).map((e) => e.envelope).filter((e) => isMessage(e, MessageType.candleClosed)).map((e) => e.payload as MarketCandleClosedV1);
}
