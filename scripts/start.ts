/**
 * `pnpm start`: the whole system.
 *  - Embedded default (no REDIS_URL): all four services in this one process over the in-process bus,
 *    JSON files under data/, market data from MARKET_DATA_SOURCE (default auto).
 *  - Distributed (REDIS_URL set): each service as its own process over Redis Streams, supervised here
 *    (a crashed service is restarted with backoff; Ctrl-C stops them all).
 */
import { randomBytes } from 'node:crypto';
import { configureLogging, createBus, createLogger, createStrategyStore, runService } from '@btc-research/platform';
import { readEnv, toConfig } from '../services/api-server/src/config.js';
import { startApiServer } from '../services/api-server/src/service.js';
import { readEnv as readDashboardEnv, toConfig as toDashboardConfig } from '../services/dashboard/src/config.js';
import { startDashboard } from '../services/dashboard/src/service.js';
import { readPaperTraderConfig } from '../services/paper-trader/src/config.js';
import { startPaperTrader } from '../services/paper-trader/src/service.js';
import { readStreamManagerConfig } from '../services/stream-manager/src/config.js';
import { startStreamManager } from '../services/stream-manager/src/service.js';
import { superviseServices } from './supervise.js';

const env = process.env;

if (env['REDIS_URL']) {
  process.exitCode = await superviseServices(['stream-manager', 'paper-trader', 'api-server', 'dashboard'], env);
} else {
  // Everything opened goes through `own`: a failed start closes it (last opened first) and exits
  // non-zero; Ctrl-C closes it in the same order.
  await runService('btc-research', async (_signal, own) => {
    const started = Date.now();
    const apiConfig = toConfig(readEnv(env));
    // the dashboard's own host and port; it reaches the API started here, with a key made for it
    const dashboardConfig = toDashboardConfig(readDashboardEnv(env));
    configureLogging({ level: apiConfig.logLevel, systems: apiConfig.logSystems });
    const logger = createLogger('btc-research');
    const bus = own(createBus({ logger: createLogger('bus') }));
    const store = own(await createStrategyStore({ dataDir: apiConfig.dataDir }));
    // api-key mode: the dashboard gets a service key of its own (per-process, never shown) with a
    // higher rate limit, so a few open browser tabs do not exhaust the 100/min a client gets.
    // JWT mode: no key (the API accepts only bearer tokens there); people sign in with their own key.
    const isJwtMode = apiConfig.auth.mode === 'jwt';
    const dashboardKey = isJwtMode ? undefined : `dashboard-${randomBytes(16).toString('hex')}`;
    const auth = dashboardKey === undefined ? apiConfig.auth : { ...apiConfig.auth, apiKeys: [...apiConfig.auth.apiKeys, { key: dashboardKey, scopes: ['read', 'control'] as const, rateLimitMax: 1_200 }] };
    const api = own(
      await startApiServer({
        host: apiConfig.host,
        port: apiConfig.port,
        bus,
        store,
        configDir: apiConfig.configDir,
        logger: createLogger('api-server:http'),
        auth,
        cors: { origins: apiConfig.corsOrigins },
        operations: apiConfig.operations,
        metricsListener: apiConfig.metricsListener,
        rateLimit: apiConfig.rateLimit,
        maxRunningStrategiesPerClient: apiConfig.maxRunningStrategiesPerClient,
        notificationChannels: apiConfig.notificationChannels,
        backtests: apiConfig.backtests,
        candleHistoryMaxMinutes: apiConfig.candleHistoryMaxMinutes,
      }),
    );
    const dashboard = own(
      await startDashboard({
        host: dashboardConfig.host,
        port: dashboardConfig.port,
        apiUrl: api.url,
        apiKey: dashboardKey,
        logger: createLogger('dashboard'),
      }),
    );
    own(await startPaperTrader({ config: readPaperTraderConfig(env), bus, store, logger: createLogger('paper-trader') }));
    const market = own(await startStreamManager({ config: readStreamManagerConfig(env), bus, logger: createLogger('stream-manager') }));
    const feed = market.sources[0]?.status();
    logger.info({ api: api.url, dashboard: dashboard.url, startupMs: Date.now() - started, marketData: feed?.source, simulated: feed?.isSimulated }, 'btc-research is up (embedded mode)');
    process.stdout.write(
      `\nbtc-research is up in ${((Date.now() - started) / 1000).toFixed(1)} s\n  dashboard  ${dashboard.url.replace('127.0.0.1', 'localhost')}\n  API        ${api.url.replace('127.0.0.1', 'localhost')}/api/v1  (docs at /docs)\n  market     ${feed?.isSimulated ? 'SIMULATED (built-in simulator — not real prices)' : (feed?.source ?? 'unknown')}\n  Ctrl-C stops everything; state is kept in ${apiConfig.dataDir}\n\n`,
    );
    // everything is owned: closing "the service" is closing them, newest first
    return { close: async () => undefined };
  });
}
