import { ConfigError, envInt, envOptStr, envStr, type EnvRecord, type LogLevel } from '@btc-research/platform';

export interface DashboardConfig {
  host: string;
  port: number;
  /** the api-server, e.g. http://127.0.0.1:8000 */
  apiUrl: string;
  /** sent to the API as X-API-Key from this server only (api-key mode); unset = users sign in (JWT) */
  apiKey: string | undefined;
  logLevel: LogLevel;
  logSystems: readonly string[];
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads the environment once (convention 10); main.ts passes process.env. */
export function readEnv(env: EnvRecord): EnvRecord {
  return env;
}

function apiUrlOf(env: EnvRecord): string {
  const text = envStr(env, 'API_URL', 'http://127.0.0.1:8000');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`API_URL must be an http(s) URL such as http://127.0.0.1:8000, got "${text}"`, { details: { variable: 'API_URL' } });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`API_URL must use http or https, got "${url.protocol}"`, { details: { variable: 'API_URL' } });
  }
  return text.replace(/\/+$/, '');
}

/** Env → frozen config: DASHBOARD_HOST, DASHBOARD_PORT, API_URL, API_KEY, LOG_LEVEL, LOG_SYSTEMS. */
export function toConfig(env: EnvRecord): Readonly<DashboardConfig> {
  const logLevel = envStr(env, 'LOG_LEVEL', 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`, { details: { variable: 'LOG_LEVEL' } });
  return Object.freeze({
    host: envStr(env, 'DASHBOARD_HOST', '0.0.0.0'),
    port: envInt(env, 'DASHBOARD_PORT', 5000, { min: 0, max: 65_535 }),
    apiUrl: apiUrlOf(env),
    apiKey: envOptStr(env, 'API_KEY'),
    logLevel,
    logSystems: Object.freeze((envOptStr(env, 'LOG_SYSTEMS') ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0)),
  });
}
