import path from 'node:path';
import { ConfigError, envBool, envOptStr, envStr, type EnvRecord } from '@btc-research/platform';

export interface PaperTraderConfig {
  configDir: string;
  dataDir: string;
  redisUrl: string | undefined;
  databaseUrl: string | undefined;
  /** worker name inside the consumer group */
  consumerName: string;
  initialCash: string;
  /** start every strategy in config/ that has never been started (first run) */
  autoStart: boolean;
  /** auto-started strategies paper-trade from the start of the available market history ("history") or from now ("now") */
  autoStartFrom: 'history' | 'now';
  logLevel: string;
}

export function readPaperTraderConfig(env: EnvRecord): PaperTraderConfig {
  const initialCash = envStr(env, 'INITIAL_CASH', '10000');
  if (!/^\d+(\.\d+)?$/.test(initialCash)) throw new ConfigError(`INITIAL_CASH must be a positive decimal number, got "${initialCash}"`);
  const from = envStr(env, 'AUTO_START_FROM', 'history');
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
  };
}
