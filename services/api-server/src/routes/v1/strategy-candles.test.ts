import { afterEach, describe, expect, it } from 'vitest';
import { IndicatorsResponse, MessageType, StrategyCandlesResponse, StreamRetention, Streams, makeEnvelope } from '@btc-research/contracts';
import { InProcessBus, JsonStrategyStore, waitFor } from '@btc-research/platform';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApiApp } from '../../app.js';
import { VALID_YAML } from '../../test-support/fixtures.js';
import { devAuth, strategyRecord, testLogger } from '../../test-support/harness.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
const MINUTES = 3 * 24 * 60 + 37; // three days and a bit: more than one page in every timeframe up to 1h

function candle(i: number) {
  const openTime = T0 + i * 60_000;
  const price = 40_000 + (i % 500);
  return { openTime, closeTime: openTime + 60_000, open: `${price}`, high: `${price + 10}`, low: `${price - 10}`, close: `${price + 1}`, volume: '1.5' };
}

interface Running {
  app: FastifyInstance;
  bus: InProcessBus;
  store: JsonStrategyStore;
}

let dataDir = '';
const open: Running[] = [];

/** The api-server over a JSON store in `dataDir` and a fresh (empty) in-process bus: what a restart leaves. */
async function startApi(): Promise<Running> {
  const bus = new InProcessBus({ logger: testLogger });
  const store = new JsonStrategyStore({ dataDir });
  const app = await buildApiApp({ bus, store, configDir: dataDir, logger: testLogger, auth: devAuth(), rateLimit: { max: 10_000, timeWindowMs: 60_000 }, cacheTtlMs: 0, collectDefaultMetrics: false });
  await app.ready();
  const r = { app, bus, store };
  open.push(r);
  return r;
}

async function stop(r: Running): Promise<void> {
  await r.app.close();
  await r.bus.close();
  await r.store.close();
}

afterEach(async () => {
  for (const r of open.splice(0)) await stop(r);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function page(app: FastifyInstance, q: string): Promise<StrategyCandlesResponse> {
  const res = await app.inject({ url: `/api/v1/strategies/chart-one/candles?${q}` });
  expect(res.statusCode, res.body).toBe(200);
  return StrategyCandlesResponse.parse(res.json());
}

describe('GET /api/v1/strategies/:id/candles', () => {
  it("pages back through the market log's whole history in any timeframe, and still does after a restart (empty bus)", async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'api-candles-'));
    const first = await startApi();
    await first.store.upsertStrategy(strategyRecord('chart-one', { configYaml: VALID_YAML, configName: 'test.yaml', createdAt: T0 + HOUR }));
    // what the paper-trader's market-log writer stores: candles between book and trade inputs
    const events = [];
    for (let i = 0; i < MINUTES; i++) {
      events.push({ kind: 'book' as const, time: T0 + i * 60_000 + 1, sourceId: `book:${i}`, data: { bids: [['1', '1']], asks: [['2', '1']] } });
      events.push({ kind: 'candle' as const, time: candle(i).closeTime, sourceId: `candle:${candle(i).openTime}`, data: { ...candle(i), origin: 'simulated' } });
    }
    await first.store.appendMarketEvents('BTCUSDT', events);
    await stop(open.pop()!);

    const { app, bus } = await startApi();
    // 1m: newest page first, then older pages until the log's start, no candle twice, none missing
    const seen: number[] = [];
    let before: number | null | undefined;
    let pages = 0;
    do {
      const p = await page(app, `timeframe=1m&limit=1000${before ? `&before=${before}` : ''}`);
      expect(p.historyStart).toBe(T0);
      expect(p.strategyStart).toBe(T0 + HOUR);
      seen.unshift(...p.candles.map((c) => c.openTime));
      before = p.nextBefore;
      pages += 1;
    } while (before !== null && pages < 10);
    expect(pages).toBe(5);
    expect(seen).toEqual(Array.from({ length: MINUTES }, (_, i) => T0 + i * 60_000));

    // 1h: complete hours only (the last 37 minutes form the next one), exact OHLCV of their 60 minutes
    const hours = await page(app, 'timeframe=1h&limit=10');
    expect(hours.candles).toHaveLength(10);
    const h = hours.candles.at(-1)!;
    expect(h.openTime).toBe(T0 + 71 * HOUR);
    expect(h.isComplete).toBe(true);
    const minutes = Array.from({ length: 60 }, (_, k) => candle(71 * 60 + k));
    expect(h.open).toBe(minutes[0]!.open);
    expect(h.close).toBe(minutes[59]!.close);
    expect(h.high).toBe(String(Math.max(...minutes.map((m) => Number(m.high)))));
    expect(h.volume).toBe('90');
    expect(hours.forming).toMatchObject({ openTime: T0 + 72 * HOUR, isComplete: false, volume: '55.5' });
    const older = await page(app, `timeframe=1h&limit=10&before=${hours.nextBefore}`);
    expect(older.candles.at(-1)!.openTime).toBe(T0 + 61 * HOUR);

    // a trade after the last closed minute becomes part of the forming candle (provisional)
    const tradeTime = T0 + MINUTES * 60_000 + 5_000;
    await bus.publish(
      Streams.trades('BTCUSDT'),
      makeEnvelope({ type: MessageType.trade, id: 't-1', source: 'stream-manager', tsEvent: tradeTime, tsInit: tradeTime, payload: { venue: 'SIMULATED', symbol: 'BTCUSDT', tradeId: '1', price: '50000', quantity: '0.25', time: tradeTime, isBuyerMaker: false } }),
      StreamRetention.trades,
    );
    const newest = await page(app, 'timeframe=1m&limit=5');
    expect(newest.forming).toEqual({ openTime: T0 + MINUTES * 60_000, closeTime: T0 + (MINUTES + 1) * 60_000, open: '50000', high: '50000', low: '50000', close: '50000', volume: '0.25', isComplete: false });
    const formingHour = await page(app, 'timeframe=1h&limit=5');
    expect(formingHour.forming).toMatchObject({ high: '50000', volume: '55.75', isComplete: false });

    // indicators are computed from the same stored history: a window of it, one point per chart bar
    const ind = await app.inject({ url: `/api/v1/strategies/chart-one/indicators?limit=1000&bar=1h&from=${T0 + 24 * HOUR}&to=${T0 + 48 * HOUR}` });
    expect(ind.statusCode, ind.body).toBe(200);
    const body = IndicatorsResponse.parse(ind.json());
    expect(body.candlesUsed).toBe(MINUTES);
    const rsi = body.series.find((s) => s.name === 'RSI_14')!;
    expect(rsi.kind).toBe('bounded');
    expect(rsi.points.map((p) => p.time)).toEqual(Array.from({ length: 25 }, (_, k) => T0 + (24 + k) * HOUR));

    expect((await app.inject({ url: '/api/v1/strategies/chart-one/candles?timeframe=7m' })).statusCode).toBe(400);
    expect((await app.inject({ url: '/api/v1/strategies/nobody/candles' })).statusCode).toBe(404);
  }, 60_000);

  it('shows a minute the exchange has not confirmed as provisional, then its corrected values', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'api-candles-'));
    const { app, bus, store } = await startApi();
    await store.upsertStrategy(strategyRecord('chart-one', { configYaml: VALID_YAML, configName: 'test.yaml', createdAt: T0 }));
    await store.appendMarketEvents('BTCUSDT', [0, 1, 2].map((i) => ({ kind: 'candle' as const, time: candle(i).closeTime, sourceId: `candle:${candle(i).openTime}`, data: { ...candle(i), origin: 'live' } })));
    const closed = (i: number, extra: Record<string, unknown>) =>
      makeEnvelope({ type: MessageType.candleClosed, id: `c-${i}`, source: 'stream-manager', tsEvent: candle(i).closeTime, tsInit: candle(i).closeTime, payload: { venue: 'BINANCE', symbol: 'BTCUSDT', timeframe: '1m', ...candle(i), synthetic: false, origin: 'live', ...extra } });
    await bus.publish(Streams.candles('BTCUSDT'), closed(3, { provisional: true, close: '40004', volume: '0.2' }), StreamRetention.candles);
    await waitFor(async () => (await page(app, 'timeframe=1m&limit=10')).candles.length === 4, { what: 'the provisional minute on the chart' });
    const shown = (await page(app, 'timeframe=1m&limit=10')).candles;
    expect(shown.map((c) => c.provisional ?? false)).toEqual([false, false, false, true]);
    expect(shown[3]).toMatchObject({ close: '40004', volume: '0.2' });
    await bus.publish(
      Streams.candles('BTCUSDT'),
      makeEnvelope({ type: MessageType.candleCorrected, id: 'corr-3', source: 'stream-manager', tsEvent: candle(3).closeTime, tsInit: candle(3).closeTime, payload: { venue: 'BINANCE', symbol: 'BTCUSDT', timeframe: '1m', ...candle(3), origin: 'backfill', changed: true, confirmedBy: 'rest' } }),
      StreamRetention.candles,
    );
    await waitFor(async () => (await page(app, 'timeframe=1m&limit=10')).candles[3]!.provisional === undefined, { what: 'the corrected minute' });
    const corrected = (await page(app, 'timeframe=1m&limit=10')).candles[3]!;
    expect(corrected).toMatchObject({ close: candle(3).close, volume: candle(3).volume, corrected: true });
  });
});
