/**
 * The servers of the API bench, run in a process of their own so the load generator does not share
 * their event loop: the api-server app (cached and cache-off) over a seeded JSON store and an
 * in-process bus with equity events arriving 5 times a second, and a bare Fastify route returning the
 * same JSON. Prints one JSON line with the URLs, then serves until SIGTERM.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { MessageType, StreamRetention, Streams, makeEnvelope, type StrategyFillV1 } from '@btc-research/contracts';
import { InProcessBus, JsonStrategyStore, createLogger } from '@btc-research/platform';
import { buildApiApp } from '../src/app.js';
import { DEFAULT_DEV_API_KEY } from '../src/auth/auth-config.js';
import { STRATEGY_ID, type BenchServerInfo } from './bench-shared.js';

async function seed(store: JsonStrategyStore, trades: number, equityPoints: number): Promise<void> {
  const t0 = Date.UTC(2025, 0, 1);
  await store.upsertStrategy({
    id: STRATEGY_ID,
    name: 'Bench',
    configName: 'bench.yaml',
    configYaml: 'name: bench\n',
    symbol: 'BTCUSDT',
    status: 'running',
    error: null,
    initialCash: '10000',
    createdAt: t0,
    updatedAt: t0,
  });
  const fills: StrategyFillV1[] = [];
  for (let i = 0; i < trades; i++) {
    const isBuy = i % 2 === 0;
    fills.push({
      strategyId: STRATEGY_ID,
      tradeId: `t-${i}`,
      orderId: `o-${i}`,
      symbol: 'BTCUSDT',
      side: isBuy ? 'buy' : 'sell',
      quantity: '0.01',
      price: `${40_000 + (i % 97) * 3}`,
      fee: '0.4',
      realizedPnl: isBuy ? '0' : i % 3 === 0 ? '-5.5' : '9.25',
      reason: isBuy ? 'entry_long' : 'exit_long',
      time: t0 + i * 300_000,
    });
  }
  await store.appendTrades(STRATEGY_ID, fills);
  await store.appendEquity(
    STRATEGY_ID,
    Array.from({ length: equityPoints }, (_, i) => ({ time: t0 + i * 60_000, equity: (10_000 + Math.sin(i / 50) * 150 + i * 0.01).toFixed(2) })),
  );
  await store.saveState({
    strategyId: STRATEGY_ID,
    time: t0 + equityPoints * 60_000,
    cash: '9600.5',
    equity: '10150.25',
    positionQty: '0.01',
    avgEntryPrice: '40100',
    realizedPnl: '140.5',
    unrealizedPnl: '9.75',
    feesPaid: `${(trades * 0.4).toFixed(1)}`,
    lastPrice: '41075',
    lastCandleCloseTime: t0 + equityPoints * 60_000,
    tradeCount: trades,
    core: null,
  });
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

const trades = Number(process.env['BENCH_TRADES'] ?? 2_000);
const equityPoints = Number(process.env['BENCH_EQUITY_POINTS'] ?? 10_000);
const dataDir = await mkdtemp(path.join(tmpdir(), 'api-bench-'));
const logger = createLogger('api-server:bench', { level: 'silent' });
const bus = new InProcessBus({ logger });
const store = new JsonStrategyStore({ dataDir });
await seed(store, trades, equityPoints);
const common = {
  bus,
  store,
  configDir: dataDir,
  logger,
  auth: { mode: 'api-key' as const, apiKeys: [{ key: DEFAULT_DEV_API_KEY, scopes: ['read', 'control'] as const }], isReadOpen: true, jwtSecret: 'bench-secret-bench-secret-bench-secret', accessTokenTtlS: 900, refreshTokenTtlS: 3_600 },
  // the limiter runs (its cost is part of the figure) but is set above the offered load
  rateLimit: { max: 1_000_000, timeWindowMs: 60_000 },
  collectDefaultMetrics: false,
};
const api = await buildApiApp(common);
const uncached = await buildApiApp({ ...common, cacheTtlMs: 0 });
const bare = Fastify({ logger: false });
const sample: unknown = (await api.inject({ url: `/api/v1/strategies/${STRATEGY_ID}/stats` })).json();
bare.get('/stats', async () => sample);
const info: BenchServerInfo = { apiUrl: await listen(api), uncachedUrl: await listen(uncached), bareUrl: await listen(bare), trades, equityPoints };

// live conditions: equity events arrive on the bus (5/s) and drop the strategy's cached stats each time
let n = 0;
const ticker = setInterval(() => {
  n += 1;
  const t = Date.now();
  void bus.publish(
    Streams.strategyEvents(),
    makeEnvelope({
      type: MessageType.strategyEquity,
      id: `bench-eq-${n}`,
      source: 'bench',
      tsEvent: t,
      tsInit: t,
      payload: { strategyId: STRATEGY_ID, time: t, equity: '10150.25', cash: '9600.5', positionQty: '0.01', realizedPnl: '140.5', unrealizedPnl: '9.75', lastPrice: '41075' },
    }),
    StreamRetention.strategyEvents,
  );
}, 200);

process.stdout.write(`${JSON.stringify(info)}\n`);
process.once('SIGTERM', () => {
  clearInterval(ticker);
  void (async () => {
    await Promise.all([api.close(), uncached.close(), bare.close()]);
    await bus.close();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
    process.stdout.write(`${JSON.stringify({ cacheInvalidations: n })}\n`);
  })();
});
