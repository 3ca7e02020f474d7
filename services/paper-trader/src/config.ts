import path from 'node:path';
import { ConfigError, envBool, envInt, envOptStr, envStr, readMarketLogRetentionMs, readNotificationSettings, type EnvRecord, type NotificationSettings } from '@btc-research/platform';

export interface PaperTraderConfig {
  configDir: string;
  dataDir: string;
  redisUrl: string | undefined;
  databaseUrl: string | undefined;
  /** PostgreSQL schema for the store (default "public") */
  databaseSchema: string | undefined;
  /** worker name inside the consumer group */
  consumerName: string;
  initialCash: string;
  /** start every strategy in config/ that has never been started (first run) */
  autoStart: boolean;
  /** auto-started strategies paper-trade from the start of the available market history ("history") or from now ("now") */
  autoStartFrom: 'history' | 'now';
  logLevel: string;
  /** a worker owns a strategy (and the market log) under a lease of this length, renewed every third of it */
  leaseTtlMs: number;
  /** checksummed snapshot of each strategy at most this often */
  snapshotIntervalMs: number;
  /** how often a worker that does not ingest market data checks the shared market log */
  pollMs: number;
  /** maker commission for resting limit fills (default: the strategy's taker commission) */
  makerCommission: string | undefined;
  /**
   * market-log inputs older than this (by market time, behind the log's end) are deleted once every
   * live strategy has a snapshot past them; 0 or absent keeps everything
   */
  marketLogRetentionMs?: number;
  /** how often retention runs (default 60 s) */
  marketLogPruneIntervalMs?: number;
  /** each strategy this worker runs is checked against the replay of its recorded inputs this often; 0: only on request */
  parityIntervalMs?: number;
  /** relative tolerance of indicator values in parity checks (default 0.0001, the seed's 0.01%) */
  parityIndicatorTolerance?: number;
  /** how long a strategy's warm-up history is awaited after its activation (default WARMUP_HISTORY_WAIT_MS, 30 s) */
  warmupWaitMs?: number;
  /** notification channels (NOTIFY_WEBHOOK_URL, TELEGRAM_BOT_TOKEN, …); none configured: no notifier */
  notifications?: NotificationSettings;
}

export function readPaperTraderConfig(env: EnvRecord): PaperTraderConfig {
  const initialCash = envStr(env, 'INITIAL_CASH', '10000');
  if (!/^\d+(\.\d+)?$/.test(initialCash)) throw new ConfigError(`INITIAL_CASH must be a positive decimal number, got "${initialCash}"`);
  const from = envStr(env, 'AUTO_START_FROM', 'history');
  const maker = envOptStr(env, 'MAKER_COMMISSION');
  if (maker !== undefined && !/^\d+(\.\d+)?$/.test(maker)) throw new ConfigError(`MAKER_COMMISSION must be a decimal fraction such as 0.0002, got "${maker}"`);
  const tolerance = envStr(env, 'PARITY_INDICATOR_TOLERANCE', '0.0001');
  if (!/^\d+(\.\d+)?$/.test(tolerance)) throw new ConfigError(`PARITY_INDICATOR_TOLERANCE must be a decimal fraction such as 0.0001, got "${tolerance}"`);
  if (from !== 'history' && from !== 'now') throw new ConfigError(`AUTO_START_FROM must be "history" or "now", got "${from}"`);
  return {
    configDir: path.resolve(envStr(env, 'CONFIG_DIR', 'config')),
    dataDir: path.resolve(envStr(env, 'DATA_DIR', 'data')),
    redisUrl: envOptStr(env, 'REDIS_URL'),
    databaseUrl: envOptStr(env, 'DATABASE_URL'),
    consumerName: envStr(env, 'WORKER_NAME', `paper-trader-${process.pid}`),
    initialCash,
    autoStart: envBool(env, 'AUTO_START', true),
    autoStartFrom: from,
    logLevel: envStr(env, 'LOG_LEVEL', 'info'),
    databaseSchema: envOptStr(env, 'DATABASE_SCHEMA'),
    leaseTtlMs: envInt(env, 'LEASE_TTL_MS', 15_000, { min: 300 }),
    snapshotIntervalMs: envInt(env, 'SNAPSHOT_INTERVAL_MS', 10_000, { min: 10 }),
    pollMs: envInt(env, 'MARKET_LOG_POLL_MS', 100, { min: 1 }),
    makerCommission: maker,
    parityIntervalMs: envInt(env, 'PARITY_INTERVAL_MS', 900_000, { min: 0 }),
    parityIndicatorTolerance: Number(tolerance),
    marketLogRetentionMs: readMarketLogRetentionMs(env),
    notifications: readNotificationSettings(env),
  };
}
