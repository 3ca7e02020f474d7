import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Streams, type MarketBookDepthV1, type MarketBookTickerV1, type MarketCandleClosedV1 } from '@btc-research/contracts';
import { InProcessBus, createLogger, waitFor } from '@btc-research/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { MarketPublisher } from '../market-publisher.js';
import { startSimulatedSource } from './simulated-source.js';

const logger = createLogger('sim-test', { level: 'silent' });
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('simulated source', () => {
  it('publishes history then live candles, trades, a spread-bearing top of book and a depth book; resumes without gap or duplicate', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sim-'));
    dirs.push(dir);
    const bus = new InProcessBus({ logger });
    const publisher = new MarketPublisher(bus, 'test', Date.now);
    const opts = { symbol: 'BTCUSDT', seed: 9, speed: 600, historyMinutes: 30, stateDir: dir, requestedSource: 'simulated' as const, reasonMessage: 'test', publisher, logger, now: Date.now, tickMs: 20 };
    const src = await startSimulatedSource(opts);
    const candles = async () => (await bus.read(Streams.candles('BTCUSDT'), '0', 10_000)).map((e) => e.envelope.payload as MarketCandleClosedV1);
    expect((await candles()).length).toBeGreaterThanOrEqual(29);
    const history = (await candles()).length;
    await waitFor(async () => (await candles()).length >= history + 3, { timeoutMs: 10_000, what: 'live candles' });
    const tickers = await waitFor(async () => {
      const t = (await bus.read(Streams.bookTicker('BTCUSDT'), '0', 10_000)).map((e) => e.envelope.payload as MarketBookTickerV1);
      return t.length > 10 ? t : null;
    }, { timeoutMs: 10_000, what: 'top of book updates' });
    for (const t of tickers) expect(Number(t.askPrice)).toBeGreaterThan(Number(t.bidPrice));
    const depth = await waitFor(async () => {
      const d = (await bus.read(Streams.bookDepth('BTCUSDT'), '0', 1000)).map((e) => e.envelope.payload as MarketBookDepthV1);
      return d.length > 2 ? d : null;
    }, { timeoutMs: 10_000, what: 'depth snapshots' });
    const d = depth[depth.length - 1]!;
    expect(d.bids).toHaveLength(20);
    expect(Number(d.bids[0]![0])).toBeLessThan(Number(d.asks[0]![0]));
    expect(Number(d.bids[0]![0])).toBeGreaterThan(Number(d.bids[1]![0]));
    expect((await bus.read(Streams.trades('BTCUSDT'), '0', 10)).length).toBe(10);
    expect(src.status()).toMatchObject({ source: 'simulated', isSimulated: true, transport: 'simulator', venue: 'SIMULATED', state: 'live' });
    await src.stop();
    // restart on the same state: continues after the last candle
    const again = await startSimulatedSource({ ...opts, publisher: new MarketPublisher(bus, 'test', Date.now) });
    const before = (await candles()).length;
    await waitFor(async () => (await candles()).length >= before + 2, { timeoutMs: 10_000, what: 'candles after restart' });
    await again.stop();
    const all = await candles();
    for (let i = 1; i < all.length; i++) expect(all[i]!.openTime - all[i - 1]!.openTime).toBe(60_000);
    await bus.close();
  });
});
