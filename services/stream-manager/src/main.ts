import { configureLogging, createLogger, openBus, runService } from '@btc-research/platform';
import { readStreamManagerConfig } from './config.js';
import { startStreamManager } from './service.js';

// Composition root: env → config → bus → service. Nothing below reads process.env.
// What it opens goes through `own`, so a failed start closes it and the process exits non-zero.
await runService('stream-manager', async (_signal, own) => {
  const config = readStreamManagerConfig(process.env);
  configureLogging({ level: config.logLevel as never });
  const logger = createLogger('stream-manager');
  const bus = own(await openBus({ redisUrl: config.redisUrl, logger: createLogger('stream-manager:bus') }));
  return startStreamManager({ config, bus, logger });
});
