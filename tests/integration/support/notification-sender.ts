/**
 * A notification sender as its own process, for the kill -9 test: the store's outbox (JSON files
 * under DATA_DIR, or PostgreSQL at DATABASE_URL/DATABASE_SCHEMA) and the channels configured by the
 * usual environment variables, sent by the same NotificationDispatcher the paper-trader runs.
 */
import { createLogger, createNotificationChannels, createStrategyStore, NotificationDispatcher, readNotificationSettings } from '@btc-research/platform';

const env = process.env;
const store = await createStrategyStore({ dataDir: env['DATA_DIR'] ?? 'data', databaseUrl: env['DATABASE_URL'], databaseSchema: env['DATABASE_SCHEMA'] });
const dispatcher = new NotificationDispatcher({
  outbox: store.outbox,
  channels: createNotificationChannels(readNotificationSettings(env)),
  owner: `sender-${process.pid}`,
  logger: createLogger('sender', { level: 'warn' }),
  pollMs: 50,
  claimLeaseMs: Number(env['CLAIM_LEASE_MS'] ?? 60_000),
  retry: { baseMs: 100, maxMs: 1_000 },
});
dispatcher.start();
process.stdout.write('sender up\n');
process.on('SIGTERM', () => {
  void dispatcher.stop().then(() => store.close()).then(() => process.exit(0));
});
