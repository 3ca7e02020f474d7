import { AuthScope } from '@btc-research/contracts';
import { ConfigError, createNotificationChannels, envBool, envInt, envOptStr, envStr, readMarketLogRetentionMs, readNotificationSettings, type EnvRecord, type LogLevel } from '@btc-research/platform';
import type { NotificationChannelDto } from '@btc-research/contracts';
import { DEFAULT_DEV_API_KEY, type ApiKeyEntry, type AuthConfig } from './auth/auth-config.js';
import { DEFAULT_MAX_RUNNING_PER_CLIENT } from './context.js';
import { randomBytes } from 'node:crypto';

export interface ApiServerConfig {
  host: string;
  port: number;
  redisUrl: string | undefined;
  databaseUrl: string | undefined;
  /** the PostgreSQL schema the paper-trader writes (DATABASE_SCHEMA); both services must read the same one */
  databaseSchema: string | undefined;
  configDir: string;
  dataDir: string;
  logLevel: LogLevel;
  logSystems: readonly string[];
  auth: AuthConfig;
  /** true when the built-in development key is in use (main prints it at start-up) */
  isDefaultDevKey: boolean;
  corsOrigins: readonly string[];
  /** who may read /metrics and /docs without a credential */
  operations: { isMetricsPublic: boolean; isDocsPublic: boolean };
  /** a separate listener for GET /metrics without credentials (Prometheus on an internal network) */
  metricsListener: { host: string; port: number } | undefined;
  rateLimit: { max: number; timeWindowMs: number };
  /** live strategies one key (or token subject) may have started; null = no cap (API_MAX_RUNNING_PER_KEY=0) */
  maxRunningStrategiesPerClient: number | null;
  /** notification channels configured by environment (what the paper-trader sends to), secrets redacted */
  notificationChannels: readonly NotificationChannelDto[];
  /** backtests from the browser: jobs at once (BACKTEST_CONCURRENCY) and where kline CSVs are read (BACKTEST_DATA_DIR) */
  backtests: { concurrency: number; dataDir: string };
  /** 1m candles kept in memory per symbol for charts and warm-up progress (follows MARKET_LOG_RETENTION_HOURS); undefined: the default cap */
  candleHistoryMaxMinutes: number | undefined;
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const PLACEHOLDER_SECRETS = new Set(['secret', 'changeme', 'change-me', 'jwt-secret', 'your-secret', 'development', 'test', 'password']);
const MIN_SECRET_LENGTH = 32;

/** Reads the environment once (convention 10); main.ts passes process.env. */
export function readEnv(env: EnvRecord): EnvRecord {
  return env;
}

/**
 * "key1:read+control,key2:read,key3:read:600" → entries. A key without scopes gets read and control;
 * an optional third field is the key's own rate limit per window (e.g. for the dashboard's key).
 */
export function parseApiKeys(spec: string): ApiKeyEntry[] {
  const out: ApiKeyEntry[] = [];
  for (const part of spec.split(',').map((p) => p.trim()).filter((p) => p.length > 0)) {
    const [key = '', scopeText = 'read+control', limitText, ...rest] = part.split(':');
    if (rest.length > 0) throw new ConfigError('API_KEYS: an entry is key[:scopes[:limit]] (keys cannot contain ":")', { details: { variable: 'API_KEYS' } });
    let rateLimitMax: number | undefined;
    if (limitText !== undefined) {
      if (!/^[1-9]\d{0,6}$/.test(limitText)) throw new ConfigError('API_KEYS: a key\'s rate limit must be a positive integer', { details: { variable: 'API_KEYS' } });
      rateLimitMax = Number(limitText);
    }
    const scopes: AuthScope[] = [];
    for (const s of scopeText.split('+')) {
      const parsed = AuthScope.safeParse(s.trim());
      if (!parsed.success) throw new ConfigError(`API_KEYS: unknown scope "${s}" (use read, control)`, { details: { variable: 'API_KEYS' } });
      if (!scopes.includes(parsed.data)) scopes.push(parsed.data);
    }
    if (key.length < 16) throw new ConfigError('API_KEYS: every key must be at least 16 characters', { details: { variable: 'API_KEYS' } });
    out.push({ key, scopes, ...(rateLimitMax !== undefined ? { rateLimitMax } : {}) });
  }
  return out;
}

/** API_AUTH_MODE, or `jwt` when NODE_ENV=production: how callers authenticate (also read by the
 * start scripts, which give the dashboard a service key only in api-key mode). */
export function authModeOf(env: EnvRecord): AuthConfig['mode'] {
  const isProduction = envOptStr(env, 'NODE_ENV') === 'production';
  const modeText = envStr(env, 'API_AUTH_MODE', isProduction ? 'jwt' : 'api-key');
  if (modeText !== 'api-key' && modeText !== 'jwt') {
    throw new ConfigError(`API_AUTH_MODE must be "api-key" (development) or "jwt" (production), got "${modeText}"`, { details: { variable: 'API_AUTH_MODE' } });
  }
  return modeText;
}

/**
 * Env → frozen config. Production (API_AUTH_MODE=jwt, the default when NODE_ENV=production) refuses
 * to start without real API keys and a JWT secret of at least 32 characters that is not a placeholder.
 */
export function toConfig(env: EnvRecord): Readonly<ApiServerConfig> {
  const mode = authModeOf(env);
  const keysSpec = envOptStr(env, 'API_KEYS');
  let apiKeys = keysSpec ? parseApiKeys(keysSpec) : [];
  const isDefaultDevKey = apiKeys.length === 0;
  if (isDefaultDevKey) {
    if (mode === 'jwt') throw new ConfigError('API_KEYS must be set in production (API_AUTH_MODE=jwt): the default development key is refused', { details: { variable: 'API_KEYS' } });
    apiKeys = [{ key: DEFAULT_DEV_API_KEY, scopes: ['read', 'control'] }];
  }
  if (mode === 'jwt' && apiKeys.some((k) => k.key === DEFAULT_DEV_API_KEY)) {
    throw new ConfigError('API_KEYS contains the public development key; production needs real keys', { details: { variable: 'API_KEYS' } });
  }
  let jwtSecret = envOptStr(env, 'JWT_SECRET');
  if (mode === 'jwt') {
    if (!jwtSecret) throw new ConfigError('JWT_SECRET is required in production (API_AUTH_MODE=jwt)', { details: { variable: 'JWT_SECRET' } });
    if (jwtSecret.length < MIN_SECRET_LENGTH || PLACEHOLDER_SECRETS.has(jwtSecret.toLowerCase()) || new Set(jwtSecret).size < 8) {
      throw new ConfigError(`JWT_SECRET must be a random secret of at least ${MIN_SECRET_LENGTH} characters`, { details: { variable: 'JWT_SECRET' } });
    }
  }
  // development without a secret: a per-process random one (tokens do not survive a restart)
  jwtSecret ??= randomBytes(32).toString('hex');
  const logLevel = envStr(env, 'LOG_LEVEL', 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`, { details: { variable: 'LOG_LEVEL' } });
  // development: the dashboard's own origin only (it calls the API from its server, so browsers never
  // need more); production: none. "*" must be asked for.
  const dashboardPort = envInt(env, 'DASHBOARD_PORT', 5000, { min: 0, max: 65_535 });
  const corsText = envOptStr(env, 'CORS_ORIGINS') ?? (mode === 'jwt' ? '' : `http://localhost:${dashboardPort},http://127.0.0.1:${dashboardPort}`);
  const host = envStr(env, 'API_HOST', '127.0.0.1');
  const metricsPort = envOptStr(env, 'METRICS_PORT') === undefined ? undefined : envInt(env, 'METRICS_PORT', 0, { min: 0, max: 65_535 });
  const config: ApiServerConfig = {
    host,
    port: envInt(env, 'API_PORT', 8000, { min: 0, max: 65_535 }),
    redisUrl: envOptStr(env, 'REDIS_URL'),
    databaseUrl: envOptStr(env, 'DATABASE_URL'),
    databaseSchema: envOptStr(env, 'DATABASE_SCHEMA'),
    configDir: envStr(env, 'CONFIG_DIR', 'config'),
    dataDir: envStr(env, 'DATA_DIR', 'data'),
    logLevel,
    logSystems: (envOptStr(env, 'LOG_SYSTEMS') ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    auth: Object.freeze({
      mode,
      apiKeys: Object.freeze(apiKeys),
      isReadOpen: envBool(env, 'API_OPEN_READS', mode === 'api-key'),
      jwtSecret,
      accessTokenTtlS: envInt(env, 'JWT_ACCESS_TTL_S', 900, { min: 30, max: 86_400 }),
      refreshTokenTtlS: envInt(env, 'JWT_REFRESH_TTL_S', 7 * 86_400, { min: 60, max: 90 * 86_400 }),
    }),
    isDefaultDevKey,
    corsOrigins: corsText.split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    operations: {
      isMetricsPublic: envBool(env, 'API_PUBLIC_METRICS', mode === 'api-key'),
      isDocsPublic: envBool(env, 'API_PUBLIC_DOCS', mode === 'api-key'),
    },
    metricsListener: metricsPort === undefined ? undefined : { host: envStr(env, 'METRICS_HOST', host), port: metricsPort },
    rateLimit: {
      max: envInt(env, 'RATE_LIMIT_MAX', 100, { min: 1 }),
      timeWindowMs: envInt(env, 'RATE_LIMIT_WINDOW_MS', 60_000, { min: 1_000 }),
    },
    maxRunningStrategiesPerClient: envInt(env, 'API_MAX_RUNNING_PER_KEY', DEFAULT_MAX_RUNNING_PER_CLIENT, { min: 0, max: 100_000 }) || null,
    notificationChannels: createNotificationChannels(readNotificationSettings(env)).map((c) => c.describe()),
    candleHistoryMaxMinutes: candleHistoryMaxMinutes(readMarketLogRetentionMs(env)),
    backtests: {
      concurrency: envInt(env, 'BACKTEST_CONCURRENCY', 1, { min: 1, max: 8 }),
      dataDir: envStr(env, 'BACKTEST_DATA_DIR', `${envStr(env, 'DATA_DIR', 'data')}/klines`),
    },
  };
  return Object.freeze(config);
}

/**
 * The 1m candles the candle history keeps per symbol: twice the market log's retention (the log may
 * keep more while a strategy's snapshot needs it), the default cap when the log keeps everything.
 */
function candleHistoryMaxMinutes(retentionMs: number): number | undefined {
  return retentionMs === 0 ? undefined : (2 * retentionMs) / 60_000;
}
