import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyCors from '@fastify/cors';
import fastifyWebsocket from '@fastify/websocket';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { MessageBus, StrategyStore } from '@btc-research/platform';
import type { NotificationChannelDto } from '@btc-research/contracts';
import type { AuthConfig } from './auth/auth-config.js';
import { MemoryRefreshTokenLedger, type RefreshTokenLedger } from './auth/refresh-token-ledger.js';
import { DEFAULT_MAX_RUNNING_PER_CLIENT, type ApiContext } from './context.js';
import { LiveEventHub } from './live/event-hub.js';
import { registerAuthHook, registerJwt } from './plugins/auth.js';
import { registerCrossSiteGuard } from './plugins/cross-site-guard.js';
import { normaliseError, registerErrorHandler, REQUEST_BODY_LIMIT_BYTES, sendError } from './plugins/error-handler.js';
import { registerMetrics } from './plugins/metrics.js';
import { registerOpenApi } from './plugins/openapi.js';
import { registerRateLimit, type RateLimitConfig } from './plugins/rate-limit.js';
import { registerRequestLog } from './plugins/request-log.js';
import { StatsModels } from './read-model/stats-model.js';
import { registerSystemMetrics } from './read-model/system-metrics.js';
import { TtlCache } from './read-model/ttl-cache.js';
import { healthRoutes } from './routes/health.js';
import { apiV1Routes } from './routes/v1/api-v1.js';
import { BacktestJobs } from './backtests/backtest-jobs.js';
import { CandleHistory } from './read-model/candle-history.js';
import { IndicatorSeriesModel } from './read-model/indicator-series.js';

export interface CorsConfig {
  /** allowed browser origins; ['*'] allows any; [] (the default) sends no CORS headers. Control routes refuse other origins. */
  origins: readonly string[];
}

export interface OperationsAccess {
  /** GET /metrics answers without a credential; else it needs the read scope. Default true. */
  isMetricsPublic: boolean;
  /** /docs and /docs/json answer without a credential; else they need the read scope. Default true. */
  isDocsPublic: boolean;
}

export interface ApiAppDeps {
  bus: MessageBus;
  store: StrategyStore;
  configDir: string;
  logger: FastifyBaseLogger;
  auth: AuthConfig;
  rateLimit: RateLimitConfig;
  cors?: CorsConfig;
  /** who may read /metrics and /docs (production: only with a credential, or metrics on a separate listener) */
  operations?: OperationsAccess;
  now?: () => number;
  /** TTL of cached hot reads (active list, stats, market data); strategy events invalidate early. Default 1000 ms. */
  cacheTtlMs?: number;
  /** default wait for the paper-trader's answer to start/stop. Default 5000 ms (the body's waitMs overrides). */
  commandWaitMs?: number;
  /** concurrent live-event connections (SSE + WebSocket) per client. Default 20. */
  maxLiveConnectionsPerClient?: number;
  /** live strategies one client may have started (API_MAX_RUNNING_PER_KEY); null = no cap. Default 10. */
  maxRunningStrategiesPerClient?: number | null;
  /** notification channels configured by environment (secrets redacted); shown by GET /notifications/channels. Default none. */
  notificationChannels?: readonly NotificationChannelDto[];
  /** refresh-token reuse detection; default in memory (one process). Distributed mode passes the Redis one. */
  refreshLedger?: RefreshTokenLedger;
  /** backtest jobs: how many run at once (default 1) and where source "file" CSVs live (default data/klines) */
  backtests?: { concurrency?: number; dataDir?: string };
  /** 1m candles the candle history keeps per symbol (default 200,000) */
  candleHistoryMaxMinutes?: number | undefined;
  /** Node process metrics (CPU, memory, event loop) in /metrics. Default true. */
  collectDefaultMetrics?: boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface RegisteredRoute {
  method: string;
  url: string;
}
const routesOf = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route the app registered (HEAD twins excluded), for the OpenAPI completeness test. */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return routesOf.get(app) ?? [];
}

/** Fastify with the one error shape, request ids, the request log, and the route list the OpenAPI completeness test reads. */
function createFastify(logger: FastifyBaseLogger): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: REQUEST_BODY_LIMIT_BYTES,
    trustProxy: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
    // errors raised before routing (over-long params, bad URLs) get the one error shape too
    frameworkErrors: (error, request, reply) => sendError(request, reply, normaliseError(error)),
  });
  const routes: RegisteredRoute[] = [];
  routesOf.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  registerRequestLog(app);
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', String(request.id));
    reply.header('x-content-type-options', 'nosniff');
    // live data: no shared cache may keep it (the server caches hot reads itself)
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
  return app;
}

/**
 * Builds the api-server's Fastify app; never listens (service.ts does). Every route's schema is a zod
 * schema from @btc-research/contracts, which validates input, serialises output and feeds OpenAPI.
 */
export async function buildApiApp(deps: ApiAppDeps): Promise<FastifyInstance> {
  const now = deps.now ?? Date.now;
  const app = createFastify(deps.logger);

  const hub = new LiveEventHub(deps.bus, deps.logger.child({ subsystem: 'live-events' }));
  const cache = new TtlCache<unknown>(deps.cacheTtlMs ?? 1_000, now);
  hub.subscribe((event) => {
    cache.invalidate('active');
    if (event.strategyId) cache.invalidate(`strategy:${event.strategyId}:`);
  });
  app.addHook('onReady', async () => hub.start());
  app.addHook('preClose', async () => hub.stop());

  const origins = deps.cors?.origins ?? [];
  registerCrossSiteGuard(app, origins);
  if (origins.length > 0) {
    await app.register(fastifyCors, {
      origin: origins.includes('*') ? true : [...origins],
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['content-type', 'authorization', 'x-api-key', 'x-request-id', 'last-event-id'],
      exposedHeaders: ['x-request-id', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'location'],
      maxAge: 600,
    });
  }

  const tokens = await registerJwt(app, deps.auth, deps.now);
  const refreshLedger = deps.refreshLedger ?? new MemoryRefreshTokenLedger(now);
  await registerRateLimit(app, deps.rateLimit, deps.auth, tokens);
  const operations = deps.operations ?? { isMetricsPublic: true, isDocsPublic: true };
  registerAuthHook(app, deps.auth, tokens, refreshLedger, { isDocsPublic: operations.isDocsPublic });
  await registerOpenApi(app);
  const metrics = registerMetrics(app, { collectDefault: deps.collectDefaultMetrics ?? true, isPublic: operations.isMetricsPublic });
  registerSystemMetrics(metrics.registry, { store: deps.store, hub, redis: deps.rateLimit.redis, now });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 } });

  const candleHistory = new CandleHistory({ store: deps.store, bus: deps.bus, now, ...(deps.candleHistoryMaxMinutes !== undefined ? { maxCandles: deps.candleHistoryMaxMinutes } : {}) });
  const ctx: ApiContext = {
    bus: deps.bus,
    store: deps.store,
    configDir: deps.configDir,
    now,
    hub,
    cache,
    statsModels: new StatsModels(),
    candleHistory,
    indicatorSeries: new IndicatorSeriesModel(candleHistory),
    metrics,
    tokens,
    refreshLedger,
    auth: deps.auth,
    log: deps.logger,
    commandWaitMs: deps.commandWaitMs ?? 5_000,
    maxLiveConnectionsPerClient: deps.maxLiveConnectionsPerClient ?? 20,
    notificationChannels: deps.notificationChannels ?? [],
    maxRunningStrategiesPerClient: deps.maxRunningStrategiesPerClient === undefined ? DEFAULT_MAX_RUNNING_PER_CLIENT : deps.maxRunningStrategiesPerClient,
    backtests: new BacktestJobs({ store: deps.store, dataDir: deps.backtests?.dataDir ?? 'data/klines', concurrency: deps.backtests?.concurrency ?? 1, now, log: deps.logger }),
  };
  app.addHook('onClose', async () => ctx.backtests.close());
  const zapp = app.withTypeProvider<ZodTypeProvider>();
  await zapp.register(healthRoutes, { ctx });
  await zapp.register(apiV1Routes, { ctx, prefix: '/api/v1' });
  return app;
}
