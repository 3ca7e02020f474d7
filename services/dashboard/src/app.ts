/**
 * The dashboard: server-rendered pages (eta) over the api-server, plus a live relay
 * (WebSocket → SSE → polling) and its own static assets. Imports only the contracts and the
 * platform: every answer of the API is read through its contract schema.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '@btc-research/platform';
import { ApiClient } from './api/api-client.js';
import type { DashboardContext, RouteOptions } from './context.js';
import { HubRegistry } from './live/hub-registry.js';
import { LiveHub } from './live/live-hub.js';
import { registerErrorPages } from './plugins/error-pages.js';
import { registerFormBodies } from './plugins/form-fields.js';
import { registerPages } from './plugins/pages.js';
import { registerSecurityHeaders } from './plugins/security-headers.js';
import { registerSession } from './plugins/session.js';
import { registerStaticAssets } from './plugins/static-assets.js';
import { ViewRenderer } from './plugins/views.js';
import { exportRoutes } from './routes/exports.js';
import { healthRoutes } from './routes/health.js';
import { livePollingRoutes } from './routes/live-polling.js';
import { livePushRoutes } from './routes/live-push.js';
import { loginRoutes } from './routes/login.js';
import { marketRoutes } from './routes/market.js';
import { notificationRoutes } from './routes/notifications.js';
import { overviewRoutes } from './routes/overview.js';
import { reconcileRoutes } from './routes/reconcile.js';
import { startRoutes } from './routes/start.js';
import { stopRoutes } from './routes/stop.js';
import { lifecycleRoutes } from './routes/lifecycle.js';
import { backtestRoutes } from './routes/backtests.js';
import { strategyRoutes } from './routes/strategy.js';
import { tradesRoutes } from './routes/trades.js';

export interface DashboardDeps {
  apiUrl: string;
  apiKey?: string | undefined;
  logger: Logger;
  /** live transports offered to browsers (default: all). Tests switch some off to prove the fallbacks. */
  transports?: { ws?: boolean; sse?: boolean } | undefined;
  /** how often the browser polls when neither WebSocket nor SSE works; default 5000 ms */
  clientPollMs?: number | undefined;
  /** how often the relay polls the API when the API has no event stream; default 2000 ms */
  hubPollMs?: number | undefined;
  /** how the relay follows the API: its event stream (default 'auto') or by polling only ('poll') */
  relayUpstream?: 'auto' | 'poll' | undefined;
  /** how long GET answers of the API are shared between requests; default 1000 ms (0 = off) */
  apiCacheTtlMs?: number | undefined;
}

function contextOf(deps: DashboardDeps): DashboardContext {
  const api = new ApiClient({ apiUrl: deps.apiUrl, apiKey: deps.apiKey, log: deps.logger, cacheTtlMs: deps.apiCacheTtlMs });
  const hubs = new HubRegistry((auth) => new LiveHub({ api, auth, log: deps.logger, upstream: deps.relayUpstream, pollMs: deps.hubPollMs }));
  return {
    api,
    hubs,
    views: new ViewRenderer(),
    live: { ws: deps.transports?.ws ?? true, sse: deps.transports?.sse ?? true, pollMs: deps.clientPollMs ?? 5000 },
    log: deps.logger,
  };
}

/** Builds the dashboard's Fastify app; never listens (service.ts does). */
export async function buildDashboardApp(deps: DashboardDeps): Promise<FastifyInstance> {
  const ctx = contextOf(deps);
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({ loggerInstance, logController: new LogController({ disableRequestLogging: true }), bodyLimit: 512 * 1024 });
  registerSecurityHeaders(app);
  await registerFormBodies(app);
  await registerSession(app);
  await registerStaticAssets(app);
  registerPages(app, ctx);
  registerErrorPages(app, ctx);
  app.addHook('onClose', async () => ctx.hubs.closeAll());
  const options: RouteOptions = { ctx };
  for (const routes of [healthRoutes, overviewRoutes, strategyRoutes, reconcileRoutes, tradesRoutes, exportRoutes, startRoutes, stopRoutes, lifecycleRoutes, backtestRoutes, marketRoutes, notificationRoutes, loginRoutes, livePollingRoutes, livePushRoutes]) {
    await app.register(routes, options);
  }
  return app;
}
