import { configureLogging, createLogger, createStrategyStore, openBus, runService } from '@btc-research/platform';
import { readPaperTraderConfig } from './config.js';
import { startPaperTrader } from './service.js';

// Composition root: env → config → bus + store → service. Nothing below reads process.env.
// What it opens goes through `own`, so a failed start closes it and the process exits non-zero.
await runService('paper-trader', async (_signal, own) => {
  const config = readPaperTraderConfig(process.env);
  configureLogging({ level: config.logLevel as never });
  const logger = createLogger('paper-trader');
  const bus = own(await openBus({ redisUrl: config.redisUrl, logger: createLogger('paper-trader:bus') }));
  const store = own(await createStrategyStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, databaseSchema: config.databaseSchema }));
  return startPaperTrader({ config, bus, store, logger });
});
