import { configureLogging, createBus, createLogger, runService } from '@btc-research/platform';
import { readStreamManagerConfig } from './config.js';
import { startStreamManager } from './service.js';

// Composition root: env → config → bus → service. Nothing below reads process.env.
await runService('stream-manager', async () => {
  const config = readStreamManagerConfig(process.env);
  configureLogging({ level: config.logLevel as never });
  const logger = createLogger('stream-manager');
  const bus = createBus({ redisUrl: config.redisUrl, logger: createLogger('stream-manager:bus') });
  const service = await startStreamManager({ config, bus, logger });
  return {
    async close() {
      await service.close();
      await bus.close();
    },
  };
});
