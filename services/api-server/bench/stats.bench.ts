/**
 * API latency bench (issue 6): p99 of GET /api/v1/strategies/{id}/stats at a fixed 1,000 requests/s
 * on loopback (autocannon), beside a bare Fastify route measured in the same run. Target: p99 ≤ 10 ms.
 * Prints the figures and writes reports/bench-api.json. Run alone: `tsx services/api-server/bench/stats.bench.ts`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import Fastify, { type FastifyInstance } from 'fastify';
import { MessageType, StreamRetention, Streams, makeEnvelope, type StrategyFillV1 } from '@btc-research/contracts';
import { InProcessBus, JsonStrategyStore, createLogger } from '@btc-research/platform';
import { buildApiApp } from '../src/app.js';
import { DEFAULT_DEV_API_KEY } from '../src/auth/auth-config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const STRATEGY_ID = 'bench-strategy';
const TARGET_P99_MS = 10;

export interface LatencyFigures {
  rateTarget: number;
  durationSeconds: number;
  requests: number;
  achievedRps: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
}

export interface ApiBenchResult {
  name: 'api-stats-latency';
  target: string;
  met: boolean;
  stats: LatencyFigures;
  statsUncached: LatencyFigures;
  bareFastify: LatencyFigures;
  trades: number;
  equityPoints: number;
  /** equity events published during the cached run; each dropped the cached stats */
  cacheInvalidations: number;
  node: string;
  at: string;
}

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

async function measure(url: string, rate: number, durationSeconds: number, headers: Record<string, string> = {}): Promise<LatencyFigures> {
  // warm-up (JIT, caches), not reported
  await autocannon({ url, connections: 10, overallRate: rate, duration: 2, headers });
  const r = await autocannon({ url, connections: 10, overallRate: rate, duration: durationSeconds, headers });
  return {
    rateTarget: rate,
    durationSeconds,
    requests: r.requests.total,
    achievedRps: Math.round(r.requests.total / durationSeconds),
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, p999: r.latency.p99_9, max: r.latency.max, mean: r.latency.mean },
  };
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

export async function runApiBench(options: { rate?: number; durationSeconds?: number; trades?: number; equityPoints?: number } = {}): Promise<ApiBenchResult> {
  const rate = options.rate ?? 1_000;
  const durationSeconds = options.durationSeconds ?? 10;
  const trades = options.trades ?? 2_000;
  const equityPoints = options.equityPoints ?? 10_000;
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
  const apiUncached = await buildApiApp({ ...common, cacheTtlMs: 0 });
  const bare = Fastify({ logger: false });
  const sample = await (await api.inject({ url: `/api/v1/strategies/${STRATEGY_ID}/stats` })).json();
  bare.get('/stats', async () => sample);
  const headers = { 'x-api-key': DEFAULT_DEV_API_KEY };
  try {
    const [apiUrl, uncachedUrl, bareUrl] = [await listen(api), await listen(apiUncached), await listen(bare)];
    const bareFastify = await measure(`${bareUrl}/stats`, rate, durationSeconds);
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
    let stats: LatencyFigures;
    try {
      stats = await measure(`${apiUrl}/api/v1/strategies/${STRATEGY_ID}/stats`, rate, durationSeconds, headers);
    } finally {
      clearInterval(ticker);
    }
    const statsUncached = await measure(`${uncachedUrl}/api/v1/strategies/${STRATEGY_ID}/stats`, Math.min(rate, 200), Math.min(durationSeconds, 5), headers);
    const invalidations = n;
    const result: ApiBenchResult = {
      name: 'api-stats-latency',
      target: `GET /api/v1/strategies/{id}/stats p99 ≤ ${TARGET_P99_MS} ms at ${rate} req/s`,
      met: stats.latencyMs.p99 <= TARGET_P99_MS && stats.non2xx === 0 && stats.errors === 0,
      stats,
      statsUncached,
      bareFastify,
      trades,
      equityPoints,
      cacheInvalidations: invalidations,
      node: process.version,
      at: new Date().toISOString(),
    };
    const line = (label: string, f: LatencyFigures): string =>
      `${label.padEnd(34)} ${String(f.achievedRps).padStart(5)} req/s  p50 ${f.latencyMs.p50} ms  p90 ${f.latencyMs.p90} ms  p99 ${f.latencyMs.p99} ms  max ${f.latencyMs.max} ms  non2xx ${f.non2xx}  errors ${f.errors}`;
    console.log(line('bare Fastify route', bareFastify));
    console.log(line('GET /strategies/{id}/stats (live events)', stats));
    console.log(line('  same, cache off (200 req/s)', statsUncached));
    console.log(`api stats p99 ${stats.latencyMs.p99} ms (target ≤ ${TARGET_P99_MS} ms at ${rate} req/s) ${result.met ? 'MET' : 'NOT MET'}`);
    await mkdir(path.join(root, 'reports'), { recursive: true });
    await writeFile(path.join(root, 'reports', 'bench-api.json'), `${JSON.stringify(result, null, 2)}\n`);
    return result;
  } finally {
    await Promise.all([api.close(), apiUncached.close(), bare.close()]);
    await bus.close();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await runApiBench();
}
