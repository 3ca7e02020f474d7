import { configureLogging, createLogger, runService } from '@btc-research/platform';
import { readEnv, toConfig } from './config.js';
import { startDashboard } from './service.js';

// Composition root: env → config → logger → HTTP server. Nothing below reads process.env.
await runService('dashboard', async () => {
  const config = toConfig(readEnv(process.env));
  configureLogging({ level: config.logLevel, systems: config.logSystems });
  return startDashboard({ host: config.host, port: config.port, apiUrl: config.apiUrl, apiKey: config.apiKey, logger: createLogger('dashboard') });
});
