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
  /** which Binance venue: binance, binanceus, or `strategies` = from the strategies' `exchange` field */
  binanceVenue: 'binance' | 'binanceus' | 'strategies';
  /** explicit endpoints (tests point them at the local server); undefined = the venue's public hosts */
  binanceRestUrl: string | undefined;
  binanceWsUrl: string | undefined;
  /** strategy YAML directory, read for their `exchange` field when BINANCE_VENUE is not set */
  configDir: string;
  binanceProbeTimeoutMs: number;
  /** auto on the simulator re-probes Binance with backoff between these bounds (ms) */
  binanceReprobeBaseMs: number;
  binanceReprobeMaxMs: number;
  binanceTradeStream: 'trade' | 'aggTrade';
  /** proactive make-before-break reconnect before Binance's 24 h limit */
  binanceMaxConnectionAgeMs: number;
  binancePingIntervalMs: number;
  binanceDeadAfterMs: number;
  /** REPLAY_FILE format: kline CSV, trade CSV, or a recorded WebSocket session (JSONL, .gz allowed); auto = by content */
  replayFormat: 'auto' | 'klines' | 'trades' | 'ws-session';
  /** serve every symbol a running strategy needs (learned from the start/stop commands), not only SYMBOLS */
  followStrategySymbols: boolean;
  logLevel: string;
}

export function readStreamManagerConfig(env: EnvRecord): StreamManagerConfig {
  const source = envStr(env, 'MARKET_DATA_SOURCE', 'auto');
  if (!['auto', 'binance', 'simulated', 'replay'].includes(source)) {
    throw new ConfigError(`MARKET_DATA_SOURCE must be auto, binance, simulated or replay, got "${source}"`);
  }
  const replayFile = envOptStr(env, 'REPLAY_FILE');
  if (source === 'replay' && replayFile === undefined) throw new ConfigError('MARKET_DATA_SOURCE=replay needs REPLAY_FILE (a Binance kline or trade CSV, or a recorded WebSocket session .jsonl[.gz])');
  const speed = envStr(env, 'REPLAY_SPEED', '60');
  const replaySpeed = speed === 'max' ? 0 : Number(speed);
  if (!Number.isFinite(replaySpeed) || replaySpeed < 0) throw new ConfigError(`REPLAY_SPEED must be a number ≥ 0 or "max", got "${speed}"`);
  const venue = envStr(env, 'BINANCE_VENUE', 'strategies').toLowerCase().replace(/[^a-z]/g, '');
  if (venue !== 'binance' && venue !== 'binanceus' && venue !== 'strategies') {
    throw new ConfigError(`BINANCE_VENUE must be binance or binanceus (default: the strategies' exchange field), got "${venue}"`);
  }
  const tradeStream = envStr(env, 'BINANCE_TRADE_STREAM', 'trade');
  if (tradeStream !== 'trade' && tradeStream !== 'aggTrade') throw new ConfigError(`BINANCE_TRADE_STREAM must be trade or aggTrade, got "${tradeStream}"`);
  const replayFormat = envStr(env, 'REPLAY_FORMAT', 'auto');
  if (!['auto', 'klines', 'trades', 'ws-session'].includes(replayFormat)) throw new ConfigError(`REPLAY_FORMAT must be auto, klines, trades or ws-session, got "${replayFormat}"`);
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
    binanceVenue: venue,
    binanceRestUrl: envOptStr(env, 'BINANCE_REST_URL'),
    binanceWsUrl: envOptStr(env, 'BINANCE_WS_URL'),
    configDir: path.resolve(envStr(env, 'CONFIG_DIR', 'config')),
    binanceTradeStream: tradeStream as 'trade' | 'aggTrade',
    binanceMaxConnectionAgeMs: envInt(env, 'BINANCE_MAX_CONNECTION_AGE_MS', 23 * 3_600_000 + 30 * 60_000, { min: 1_000 }),
    binancePingIntervalMs: envInt(env, 'BINANCE_PING_INTERVAL_MS', 30_000, { min: 100 }),
    binanceDeadAfterMs: envInt(env, 'BINANCE_DEAD_AFTER_MS', 60_000, { min: 200 }),
    replayFormat: replayFormat as StreamManagerConfig['replayFormat'],
    binanceProbeTimeoutMs: envInt(env, 'BINANCE_PROBE_TIMEOUT_MS', 3000, { min: 100 }),
    binanceReprobeBaseMs: envInt(env, 'BINANCE_REPROBE_BASE_MS', 2_000, { min: 10 }),
    binanceReprobeMaxMs: envInt(env, 'BINANCE_REPROBE_MAX_MS', 60_000, { min: 10 }),
    followStrategySymbols: envStr(env, 'FOLLOW_STRATEGY_SYMBOLS', 'true') !== 'false',
    logLevel: envStr(env, 'LOG_LEVEL', 'info'),
  };
}
