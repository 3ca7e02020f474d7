/**
 * Dashboard process entry: `tsx services/dashboard/src/main.ts`.
 * Env: DASHBOARD_PORT (5000), DASHBOARD_HOST (0.0.0.0), API_URL (http://127.0.0.1:8000),
 * API_KEY (optional; sent to the API from this server only), LOG_LEVEL (info).
 */
import { makeLogger } from './logger.js';
import { startDashboard } from './service.js';

const logger = makeLogger();

function port(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`DASHBOARD_PORT must be a port number, got "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  const dashboard = await startDashboard({
    host: process.env['DASHBOARD_HOST'] ?? '0.0.0.0',
    port: port(process.env['DASHBOARD_PORT'], 5000),
    apiUrl: process.env['API_URL'] ?? 'http://127.0.0.1:8000',
    apiKey: process.env['API_KEY'] || undefined,
    logger,
  });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'dashboard stopping');
    dashboard.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'dashboard failed to stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  logger.fatal({ err }, 'dashboard failed to start');
  process.exit(1);
});
