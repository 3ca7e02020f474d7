/**
 * `pnpm start`: the whole system.
 *  - Embedded default (no REDIS_URL): all four services in this one process over the in-process bus,
 *    JSON files under data/, market data from MARKET_DATA_SOURCE (default auto).
 *  - Distributed (REDIS_URL set): each service as its own process over Redis Streams, supervised here
 *    (a crashed service is restarted with backoff; Ctrl-C stops them all).
 */
import { randomBytes } from 'node:crypto';
import { closeInOrder, configureLogging, createBus, createLogger, createStrategyStore, runService, type Closable } from '@btc-research/platform';
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
  await superviseServices(['stream-manager', 'paper-trader', 'api-server', 'dashboard'], env);
} else {
  await runService('btc-research', async () => {
    const started = Date.now();
    const apiConfig = toConfig(readEnv(env));
    // the dashboard's own host and port; it reaches the API started here, with a key made for it
    const dashboardConfig = toDashboardConfig(readDashboardEnv(env));
    configureLogging({ level: apiConfig.logLevel, systems: apiConfig.logSystems });
    const logger = createLogger('btc-research');
    const bus = createBus({ logger: createLogger('bus') });
    const store = await createStrategyStore({ dataDir: apiConfig.dataDir });
    const closables: Closable[] = [];
    // The dashboard gets a service key of its own (per-process, never shown) with a higher rate
    // limit, so a few open browser tabs do not exhaust the 100/min a client gets.
    const dashboardKey = `dashboard-${randomBytes(16).toString('hex')}`;
    const auth = { ...apiConfig.auth, apiKeys: [...apiConfig.auth.apiKeys, { key: dashboardKey, scopes: ['read', 'control'] as const, rateLimitMax: 1_200 }] };
    try {
      const api = await startApiServer({
        host: apiConfig.host,
        port: apiConfig.port,
        bus,
        store,
        configDir: apiConfig.configDir,
        logger: createLogger('api-server:http'),
        auth,
        cors: { origins: apiConfig.corsOrigins },
        rateLimit: apiConfig.rateLimit,
      });
      closables.push(api);
      const dashboard = await startDashboard({
        host: dashboardConfig.host,
        port: dashboardConfig.port,
        apiUrl: api.url,
        apiKey: dashboardKey,
        logger: createLogger('dashboard'),
      });
      closables.unshift(dashboard);
      const trader = await startPaperTrader({ config: readPaperTraderConfig(env), bus, store, logger: createLogger('paper-trader') });
      closables.unshift(trader);
      const market = await startStreamManager({ config: readStreamManagerConfig(env), bus, logger: createLogger('stream-manager') });
      closables.unshift(market);
      const feed = market.sources[0]?.status();
      logger.info({ api: api.url, dashboard: dashboard.url, startupMs: Date.now() - started, marketData: feed?.source, simulated: feed?.isSimulated }, 'btc-research is up (embedded mode)');
      process.stdout.write(
        `\nbtc-research is up in ${((Date.now() - started) / 1000).toFixed(1)} s\n  dashboard  ${dashboard.url.replace('127.0.0.1', 'localhost')}\n  API        ${api.url.replace('127.0.0.1', 'localhost')}/api/v1  (docs at /docs)\n  market     ${feed?.isSimulated ? 'SIMULATED (built-in simulator — not real prices)' : (feed?.source ?? 'unknown')}\n  Ctrl-C stops everything; state is kept in ${apiConfig.dataDir}\n\n`,
      );
    } catch (err) {
      await closeInOrder(closables);
      await bus.close();
      await store.close();
      throw err;
    }
    return {
      async close() {
        await closeInOrder(closables);
        await bus.close();
        await store.close();
      },
    };
  });
}
