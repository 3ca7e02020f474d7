import path from 'node:path';
import { ConfigError, envInt, envOptStr, envStr, type EnvRecord } from '@btc-research/platform';

export type SourceKind = 'auto' | 'binance' | 'simulated' | 'replay';

export interface StreamManagerConfig {
  source: SourceKind;
  symbols: string[];
  dataDir: string;
  redisUrl: string | undefined;
  replayFile: string | undefined;
  /** ×N market time per wall time; 0 = as fast as possible */
  replaySpeed: number;
  simSeed: number;
  /** ×N market time per wall time for the simulator (1 = real time) */
  simSpeed: number;
  /** minutes of simulated history generated on first start, so strategies warm up at once */
  simHistoryMinutes: number;
  binanceRestUrl: string;
  binanceProbeTimeoutMs: number;
  logLevel: string;
}

export function readStreamManagerConfig(env: EnvRecord): StreamManagerConfig {
  const source = envStr(env, 'MARKET_DATA_SOURCE', 'auto');
  if (!['auto', 'binance', 'simulated', 'replay'].includes(source)) {
    throw new ConfigError(`MARKET_DATA_SOURCE must be auto, binance, simulated or replay, got "${source}"`);
  }
  const replayFile = envOptStr(env, 'REPLAY_FILE');
  if (source === 'replay' && replayFile === undefined) throw new ConfigError('MARKET_DATA_SOURCE=replay needs REPLAY_FILE (a Binance kline CSV)');
  const speed = envStr(env, 'REPLAY_SPEED', '60');
  const replaySpeed = speed === 'max' ? 0 : Number(speed);
  if (!Number.isFinite(replaySpeed) || replaySpeed < 0) throw new ConfigError(`REPLAY_SPEED must be a number ≥ 0 or "max", got "${speed}"`);
  const simSpeed = Number(envStr(env, 'SIM_SPEED', '1'));
  if (!Number.isFinite(simSpeed) || simSpeed <= 0) throw new ConfigError('SIM_SPEED must be a positive number');
  return {
    source: source as SourceKind,
    symbols: envStr(env, 'SYMBOLS', 'BTCUSDT').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean),
    dataDir: path.resolve(envStr(env, 'DATA_DIR', 'data')),
    redisUrl: envOptStr(env, 'REDIS_URL'),
    replayFile: replayFile === undefined ? undefined : path.resolve(replayFile),
    replaySpeed,
    simSeed: envInt(env, 'SIM_SEED', 20240808),
    simSpeed,
    simHistoryMinutes: envInt(env, 'SIM_HISTORY_MINUTES', 1440, { min: 0, max: 525_600 }),
    binanceRestUrl: envStr(env, 'BINANCE_REST_URL', 'https://api.binance.com'),
    binanceProbeTimeoutMs: envInt(env, 'BINANCE_PROBE_TIMEOUT_MS', 3000, { min: 100 }),
    logLevel: envStr(env, 'LOG_LEVEL', 'info'),
  };
}
