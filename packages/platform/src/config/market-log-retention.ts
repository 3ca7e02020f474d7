import { envInt, envOptStr, type EnvRecord } from '../env.js';

/**
 * MARKET_LOG_RETENTION_HOURS as milliseconds: the market time the market log keeps behind its end
 * (default 72 h with PostgreSQL, 24 h with JSON files, which keeps data/ small; 0 keeps everything).
 * The paper-trader prunes the log to it; the api-server keeps no more candle history in memory than
 * the log can hold, so neither grows with the system's age.
 */
export function readMarketLogRetentionMs(env: EnvRecord): number {
  return envInt(env, 'MARKET_LOG_RETENTION_HOURS', envOptStr(env, 'DATABASE_URL') ? 72 : 24, { min: 0 }) * 3_600_000;
}
