/**
 * Dashboard process entry: `tsx services/dashboard/src/main.ts`.
 * Env: DASHBOARD_PORT (5000), DASHBOARD_HOST (0.0.0.0), API_URL (http://127.0.0.1:8000),
 * API_KEY (optional; sent to the API from this server only), LOG_LEVEL (info).
 * runService gives it the lifecycle every service shares: exit 78 on bad configuration, non-zero
 * when it cannot start (port taken), one graceful stop on SIGINT/SIGTERM with exit 0.
 */
import { ConfigError, runService } from '@btc-research/platform';
import { makeLogger } from './logger.js';
import { startDashboard } from './service.js';

const logger = makeLogger();

function port(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`DASHBOARD_PORT must be a port number, got "${raw}"`);
  return n;
}

await runService(
  'dashboard',
  async () =>
    startDashboard({
      host: process.env['DASHBOARD_HOST'] ?? '0.0.0.0',
      port: port(process.env['DASHBOARD_PORT'], 5000),
      apiUrl: process.env['API_URL'] ?? 'http://127.0.0.1:8000',
      apiKey: process.env['API_KEY'] || undefined,
      logger,
    }),
  { logger },
);
