import { configureLogging, createBus, createLogger, createStrategyStore, runService } from '@btc-research/platform';
import { readEnv, toConfig } from './config.js';
import { startApiServer } from './service.js';
import { startupNotice } from './startup-notice.js';

// Composition root: env → config → bus + store → HTTP server. Nothing below reads process.env.
await runService('api-server', async () => {
  const config = toConfig(readEnv(process.env));
  configureLogging({ level: config.logLevel, systems: config.logSystems });
  const logger = createLogger('api-server');
  const bus = createBus({ redisUrl: config.redisUrl, logger: createLogger('api-server:bus') });
  const store = await createStrategyStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const server = await startApiServer({
    host: config.host,
    port: config.port,
    bus,
    store,
    configDir: config.configDir,
    logger: createLogger('api-server:http'),
    auth: config.auth,
    cors: { origins: config.corsOrigins },
    rateLimit: { ...config.rateLimit, redisUrl: config.redisUrl },
  });
  process.stdout.write(startupNotice(config, server.url));
  logger.info({ url: server.url, authMode: config.auth.mode, bus: bus.kind, store: store.kind }, 'api-server started');
  return {
    async close() {
      await server.close();
      await bus.close();
      await store.close();
    },
  };
});
