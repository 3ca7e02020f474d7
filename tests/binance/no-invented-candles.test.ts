/**
 * Never invent a candle (issue 16, deliverable 1), against the local Binance-protocol server: whole
 * minutes whose trade and kline frames never arrive while the connection stays up (book frames keep
 * the clock moving), and single trades lost here and there. Before the fix, 5 skipped minutes gave
 * 4 flat zero-volume candles published as live; now every published candle equals the exchange's.
 */
import { waitFor } from '@btc-research/platform';
import { describe, expect, it } from 'vitest';
import { liveFeeds } from './live-feed.js';
import { canon, candlesOf, sequenceProblem } from './support.js';

const START = Date.UTC(2025, 5, 2, 11, 30);
const feeds = liveFeeds();
const bus = feeds.bus;

describe('skipped minutes and trade gaps', () => {
  it('every published candle equals the exchange kline: missing minutes come from REST, none is made up', async () => {
    const { symbol, srv, src } = await feeds.start({
      symbolPrefix: 'N',
      exchange: { seed: 16, startTime: START, tickMs: 10, marketMsPerTick: 1000 },
      publisherName: 'no-invented-candles-test',
      source: {
        pingIntervalMs: 200, deadAfterMs: 5_000, reconnectBaseMs: 20, reconnectMaxMs: 200, restFallbackAfterMs: 300, restPollMs: 100,
        statusIntervalMs: 500, restTimeoutMs: 2_000, restMaxAttempts: 4,
      },
    });
    await waitFor(() => src.status().state === 'live', { timeoutMs: 15_000, what: 'live' });
    await waitFor(() => srv.market.closedKlines(symbol).length >= 2, { timeoutMs: 15_000, what: 'two market minutes' });
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
