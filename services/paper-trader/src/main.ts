import { configureLogging, createBus, createLogger, createStrategyStore, runService } from '@btc-research/platform';
import { readPaperTraderConfig } from './config.js';
import { startPaperTrader } from './service.js';

// Composition root: env → config → bus + store → service. Nothing below reads process.env.
await runService('paper-trader', async () => {
  const config = readPaperTraderConfig(process.env);
  configureLogging({ level: config.logLevel as never });
  const logger = createLogger('paper-trader');
  const bus = createBus({ redisUrl: config.redisUrl, logger: createLogger('paper-trader:bus') });
  const store = await createStrategyStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, databaseSchema: config.databaseSchema });
  const service = await startPaperTrader({ config, bus, store, logger });
  return {
    async close() {
      await service.close();
      await bus.close();
      await store.close();
    },
  };
});
