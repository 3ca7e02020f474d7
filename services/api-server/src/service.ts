import { REDIS_DISCONNECT_TIMEOUT_MS } from '@btc-research/platform';
import { Redis } from 'ioredis';
import { buildApiApp, type ApiAppDeps } from './app.js';
import { RedisRefreshTokenLedger } from './auth/refresh-token-ledger.js';
import { startMetricsListener, type MetricsListener } from './metrics-listener.js';
import { metricsRegistryOf } from './plugins/metrics.js';
import type { RateLimitConfig } from './plugins/rate-limit.js';

export interface StartApiServerDeps extends Omit<ApiAppDeps, 'rateLimit'> {
  host: string;
  port: number;
  /** also serve GET /metrics, without credentials, on this address (METRICS_HOST, METRICS_PORT) */
  metricsListener?: { host: string; port: number } | undefined;
  rateLimit: Omit<RateLimitConfig, 'redis'> & {
    /** distributed mode: rate-limit counters in this Redis, shared by every api-server instance */
    redisUrl?: string | undefined;
  };
}

export interface ApiServerHandle {
  url: string;
  /** the separate metrics listener's URL, when one was asked for */
  metricsUrl?: string;
  close(): Promise<void>;
}

/** Builds the app and listens. Never reads env or process (main.ts does), so tests call it directly. */
export async function startApiServer(deps: StartApiServerDeps): Promise<ApiServerHandle> {
  const { host, port, rateLimit, metricsListener, ...rest } = deps;
  const redis = rateLimit.redisUrl ? new Redis(rateLimit.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 2_000, lazyConnect: true, disconnectTimeout: REDIS_DISCONNECT_TIMEOUT_MS }) : undefined;
  // connected before anything else can fail, and closed at once if it cannot connect
  await redis?.connect().catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  const app = await buildApiApp({
    ...rest,
    rateLimit: { max: rateLimit.max, timeWindowMs: rateLimit.timeWindowMs, ...(redis ? { redis } : {}) },
    // several instances share which refresh tokens were used; one process keeps that in memory
    ...(redis && !rest.refreshLedger ? { refreshLedger: new RedisRefreshTokenLedger(redis) } : {}),
  });
  let metrics: MetricsListener | undefined;
  try {
    await app.listen({ host, port });
    const registry = metricsRegistryOf(app);
    if (metricsListener && registry) metrics = await startMetricsListener(registry, metricsListener.host, metricsListener.port);
  } catch (error) {
    await app.close();
    redis?.disconnect();
    throw error;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${boundPort}`,
    ...(metrics ? { metricsUrl: metrics.url } : {}),
    async close() {
      await metrics?.close();
      await app.close();
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
