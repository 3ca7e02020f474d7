import { configureLogging, createLogger, createStrategyStore, openBus, runService } from '@btc-research/platform';
import { readEnv, toConfig } from './config.js';
import { startApiServer } from './service.js';
import { startupNotice } from './startup-notice.js';

// Composition root: env → config → bus + store → HTTP server. Nothing below reads process.env.
// What it opens goes through `own`, so a failed start closes it and the process exits non-zero.
await runService('api-server', async (_signal, own) => {
  const config = toConfig(readEnv(process.env));
  configureLogging({ level: config.logLevel, systems: config.logSystems });
  const logger = createLogger('api-server');
  const bus = own(await openBus({ redisUrl: config.redisUrl, logger: createLogger('api-server:bus') }));
  const store = own(await createStrategyStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, databaseSchema: config.databaseSchema }));
  const server = await startApiServer({
    host: config.host,
    port: config.port,
    bus,
    store,
    configDir: config.configDir,
    logger: createLogger('api-server:http'),
    auth: config.auth,
    cors: { origins: config.corsOrigins },
    operations: config.operations,
    metricsListener: config.metricsListener,
    rateLimit: { ...config.rateLimit, redisUrl: config.redisUrl },
    maxRunningStrategiesPerClient: config.maxRunningStrategiesPerClient,
    notificationChannels: config.notificationChannels,
    backtests: config.backtests,
    candleHistoryMaxMinutes: config.candleHistoryMaxMinutes,
  });
  process.stdout.write(startupNotice(config, server.url));
  logger.info({ url: server.url, metricsUrl: server.metricsUrl, authMode: config.auth.mode, bus: bus.kind, store: store.kind }, 'api-server started');
  return server;
});
