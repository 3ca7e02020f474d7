import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { FakeBinanceServer, FakeMarket } from '@btc-research/binance/testing';
import { FeedStatusResponse } from '@btc-research/contracts';
import { createLogger, waitFor } from '@btc-research/platform';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../services/api-server/src/test-support/harness.js';
import { readStreamManagerConfig } from '../../services/stream-manager/src/config.js';
import { resolveBinanceEndpoints, startStreamManager } from '../../services/stream-manager/src/service.js';
import type { RecordedReplaySource } from '../../services/stream-manager/src/sources/recorded-replay.js';
import { canon, candlesOf, sequenceProblem, uniqueSymbol } from './support.js';

// Its own Redis database (the feed-status stream is per database): the API shows the latest status.
const REDIS_URL = (() => {
  const base = new URL(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  base.pathname = '/1';
  return base.toString();
})();
const logger = createLogger('stream-manager-test', { level: 'silent' });
let h: Harness;
let dataDir: string;

beforeAll(async () => {
  const r = new Redis(REDIS_URL);
  await r.flushdb();
  r.disconnect();
  h = await createHarness(REDIS_URL);
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sm-data-'));
});
afterAll(async () => {
  await h.close();
  await fs.rm(dataDir, { recursive: true, force: true });
  const r = new Redis(REDIS_URL);
  await r.flushdb();
  r.disconnect();
});

const feed = async () => FeedStatusResponse.parse((await h.app.inject({ url: '/api/v1/market/feed' })).json());

describe('stream-manager service wiring', () => {
  it('MARKET_DATA_SOURCE=binance with BINANCE_WS_URL/BINANCE_REST_URL: the API feed status shows the reconnects while candles stay gap-free', async () => {
    const symbol = uniqueSymbol('S');
    const server = await FakeBinanceServer.start({ symbols: [symbol], seed: 3, startTime: Date.UTC(2024, 1, 1), tickMs: 10, marketMsPerTick: 1000 });
    const config = readStreamManagerConfig({
      MARKET_DATA_SOURCE: 'binance', REDIS_URL, SYMBOLS: symbol, BINANCE_WS_URL: server.wsUrl, BINANCE_REST_URL: server.url, DATA_DIR: dataDir, SIM_HISTORY_MINUTES: '0',
    });
    const sm = await startStreamManager({ config, bus: h.bus, logger });
    try {
      await waitFor(async () => (await feed()).status?.state === 'live', { timeoutMs: 10_000, what: 'live in the API' });
      for (let i = 0; i < 3; i++) {
        const before = server.stats.connections;
        await waitFor(() => server.connectedClients > 0 && sm.sources[0]?.status().state === 'live', { timeoutMs: 10_000, what: 'live again' });
        server.dropConnections();
        await waitFor(() => server.stats.connections > before, { timeoutMs: 10_000, what: 'reconnected' });
      }
      const shown = await waitFor(async () => {
        const f = await feed();
        return f.status?.state === 'live' && f.status.reconnects >= 3 ? f : null;
      }, { timeoutMs: 10_000, what: 'reconnects in the API feed status' });
      expect(shown).toMatchObject({ available: true, isSimulated: false, status: { source: 'binance', requestedSource: 'binance', circuit: 'closed', transport: 'websocket', venue: 'BINANCE' } });
      const t0 = server.market.time;
      await waitFor(() => server.market.time >= t0 + 180_000, { timeoutMs: 10_000, what: 'market time' });
      const candles = await waitFor(async () => {
        const c = await candlesOf(h.bus as never, symbol);
        return c.length >= 3 ? c : null;
      }, { timeoutMs: 10_000, what: 'candles' });
      expect(sequenceProblem(candles)).toBeNull();
    } finally {
      await sm.close();
      await server.close();
    }
  });

  it('auto uses Binance when it answers and falls back to the simulator, loudly, when it does not', async () => {
    const server = await FakeBinanceServer.start({ symbols: ['BTCUSDT'], seed: 4, startTime: Date.UTC(2024, 1, 1), tickMs: 10 });
    const onBinance = await startStreamManager({ config: readStreamManagerConfig({ SYMBOLS: 'BTCUSDT', BINANCE_WS_URL: server.wsUrl, BINANCE_REST_URL: server.url, DATA_DIR: dataDir, SIM_HISTORY_MINUTES: '0' }), bus: h.bus, logger });
    expect(onBinance.sources.map((s) => s.name)).toEqual(['binance']);
    await onBinance.close();
    await server.close();
    const offline = await startStreamManager({
      config: readStreamManagerConfig({ SYMBOLS: 'BTCUSDT', BINANCE_REST_URL: server.url, BINANCE_PROBE_TIMEOUT_MS: '500', DATA_DIR: dataDir, SIM_HISTORY_MINUTES: '5' }),
      bus: h.bus, logger,
    });
    try {
      expect(offline.sources.map((s) => s.name)).toEqual(['simulated']);
      const f = await waitFor(async () => {
        const x = await feed();
        return x.status?.source === 'simulated' ? x : null;
      }, { what: 'simulated feed in the API' });
      expect(f.isSimulated).toBe(true);
      expect(f.status?.message).toMatch(/Binance unreachable.*fell back to the built-in simulator/);
    } finally {
      await offline.close();
    }
  });

  it('auto keeps probing after a failed start-up probe (HTTP 500 on /api/v3/ping) and moves to Binance as soon as it answers; the API feed status follows', async () => {
    const symbol = uniqueSymbol('P');
    const server = await FakeBinanceServer.start({ symbols: [symbol], seed: 5, startTime: Math.floor(Date.now() / 60_000) * 60_000, tickMs: 10, marketMsPerTick: 1000 });
    // the start-up probe and the next two re-probes get a 500
    server.restFaults.push({ path: '/api/v3/ping', status: 500 }, { path: '/api/v3/ping', status: 500 }, { path: '/api/v3/ping', status: 503 });
    const sm = await startStreamManager({
      config: readStreamManagerConfig({ SYMBOLS: symbol, BINANCE_WS_URL: server.wsUrl, BINANCE_REST_URL: server.url, DATA_DIR: dataDir, CONFIG_DIR: path.join(dataDir, 'no-strategies'), SIM_HISTORY_MINUTES: '0', BINANCE_REPROBE_BASE_MS: '100', BINANCE_REPROBE_MAX_MS: '400' }),
      bus: h.bus, logger,
    });
    try {
      expect(sm.sources.map((s) => s.name)).toEqual(['simulated']);
      const t0 = Date.now();
      const shown = await waitFor(async () => {
        const f = await feed();
        return f.status?.source === 'binance' && f.status.state === 'live' ? f : null;
      }, { timeoutMs: 10_000, what: 'Binance live in the API feed status' });
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(server.stats.restRequests['/api/v3/ping']).toBeGreaterThanOrEqual(4);
      expect(shown).toMatchObject({ available: true, isSimulated: false, status: { requestedSource: 'auto', transport: 'websocket' } });
      expect(sm.sources.map((s) => s.name)).toEqual(['binance']);
      // the exchange's candles flow: the first two closed minutes equal its klines
      const candles = await waitFor(async () => {
        const c = (await candlesOf(h.bus as never, symbol)).filter((x) => x.origin !== 'simulated');
        return c.length >= 2 ? c : null;
      }, { timeoutMs: 15_000, what: 'candles from Binance' });
      const klines = new Map(server.market.closedKlines(symbol).map((k) => [k.openTime, k]));
      for (const c of candles) expect(c.close).toBe(canon(klines.get(c.openTime)!.close));
    } finally {
      await sm.close();
      await server.close();
    }
  });

  it('MARKET_DATA_SOURCE=replay plays a recorded WebSocket session (JSONL.gz, the ws-fixtures format) through the live path', async () => {
    const symbol = uniqueSymbol('R');
    const market = new FakeMarket({ symbols: [symbol], seed: 8, startTime: Date.UTC(2024, 2, 1) });
    const lines: string[] = [];
    const us = (t: number) => t * 1000 + 137;
    market.advance(5_000);
    // the recorder subscribed first and fetched the snapshot a moment later, as in the real recording
    const early = market.advance(1_000).map((f) => JSON.stringify({ recv_us: us(f.time), kind: 'ws', raw: f.text }));
    lines.push(...early, JSON.stringify({ recv_us: us(market.time), kind: 'rest_depth_snapshot', raw: JSON.stringify(market.depth(symbol, 1000)) }));
    for (let i = 0; i < 6 * 60; i++) for (const f of market.advance(1_000)) lines.push(JSON.stringify({ recv_us: us(f.time), kind: 'ws', raw: f.text }));
    lines.push('{"recv_us":1,"kind":"ws","raw":"{not a frame"}');
    const file = path.join(dataDir, `${symbol}.jsonl.gz`);
    await fs.writeFile(file, gzipSync(`${lines.join('\n')}\n`));
    const sm = await startStreamManager({ config: readStreamManagerConfig({ MARKET_DATA_SOURCE: 'replay', REPLAY_FILE: file, REPLAY_SPEED: 'max', SYMBOLS: symbol, DATA_DIR: dataDir }), bus: h.bus, logger });
    await sm.done;
    const src = sm.sources[0] as RecordedReplaySource;
    expect(src.frames.dropped).toEqual({ 'not-json': 1 });
    const feedOf = src.feeds.get(symbol)!;
    const ref = market.depth(symbol, 5000);
    expect(feedOf.sync.book.levels()).toEqual({ bids: ref.bids, asks: ref.asks });
    const candles = await candlesOf(h.bus as never, symbol);
    expect(sequenceProblem(candles)).toBeNull();
    const klines = new Map(market.closedKlines(symbol).map((k) => [k.openTime, k]));
    expect(candles.length).toBe(6);
    for (const c of candles) expect(c.close).toBe(klines.get(c.openTime)!.close.replace(/0+$/, '').replace(/\.$/, ''));
    await sm.close();
  });

  it('rejects bad market-data settings with a clear configuration error', () => {
    expect(() => readStreamManagerConfig({ BINANCE_VENUE: 'kraken' })).toThrow(/BINANCE_VENUE must be binance or binanceus/);
    expect(() => readStreamManagerConfig({ BINANCE_TRADE_STREAM: 'bookTicker' })).toThrow(/BINANCE_TRADE_STREAM/);
    expect(() => readStreamManagerConfig({ MARKET_DATA_SOURCE: 'replay' })).toThrow(/REPLAY_FILE/);
    expect(readStreamManagerConfig({ BINANCE_VENUE: 'binance.us' })).toMatchObject({ binanceVenue: 'binanceus', binanceRestUrl: undefined, binanceWsUrl: undefined });
  });

  it("picks Binance.US from the strategies' exchange field when BINANCE_VENUE is not set, Binance otherwise; explicit URLs win", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sm-configs-'));
    const yaml = (exchange: string) => `name: "x"\nsymbol: "BTC/USDT"\nexchange: "${exchange}"\ntimeframes:\n  entry: "1m"\nindicators: []\nlogic:\n  entry_long: []\n  exit_long: []\n`;
    try {
      await fs.writeFile(path.join(dir, 'a.yaml'), yaml('binanceus'));
      const us = await resolveBinanceEndpoints(readStreamManagerConfig({ CONFIG_DIR: dir }), logger);
      expect(us).toEqual({ venue: 'binanceus', wsUrl: 'wss://stream.binance.us:9443', restUrl: 'https://api.binance.us' });
      await fs.writeFile(path.join(dir, 'b.yaml'), yaml('binance'));
      expect((await resolveBinanceEndpoints(readStreamManagerConfig({ CONFIG_DIR: dir }), logger)).venue).toBe('binance');
      expect(await resolveBinanceEndpoints(readStreamManagerConfig({ CONFIG_DIR: dir, BINANCE_VENUE: 'binanceus', BINANCE_REST_URL: 'http://127.0.0.1:1' }), logger)).toEqual({ venue: 'binanceus', wsUrl: 'wss://stream.binance.us:9443', restUrl: 'http://127.0.0.1:1' });
      expect((await resolveBinanceEndpoints(readStreamManagerConfig({ CONFIG_DIR: path.join(dir, 'missing') }), logger)).venue).toBe('binance');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
