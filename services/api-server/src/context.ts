import type { FastifyBaseLogger } from 'fastify';
import type { NotificationChannelDto } from '@btc-research/contracts';
import type { MessageBus, StrategyRecord, StrategyStore } from '@btc-research/platform';
import type { AuthConfig } from './auth/auth-config.js';
import type { LiveEventHub } from './live/event-hub.js';
import type { ApiMetrics } from './plugins/metrics.js';
import type { TokenService } from './plugins/auth.js';
import type { RefreshTokenLedger } from './auth/refresh-token-ledger.js';
import { strategyNotFound } from './errors.js';
import type { TtlCache } from './read-model/ttl-cache.js';
import type { StatsModels } from './read-model/stats-model.js';
import type { CandleHistory } from './read-model/candle-history.js';
import type { IndicatorSeriesModel } from './read-model/indicator-series.js';
import type { BacktestJobs } from './backtests/backtest-jobs.js';

/** live strategies one key may have started, unless API_MAX_RUNNING_PER_KEY says otherwise */
export const DEFAULT_MAX_RUNNING_PER_CLIENT = 10;

/** What route plugins get: the app's dependencies and shared services. */
export interface ApiContext {
  bus: MessageBus;
  store: StrategyStore;
  configDir: string;
  now: () => number;
  hub: LiveEventHub;
  cache: TtlCache<unknown>;
  statsModels: StatsModels;
  /** every symbol's closed 1m candles over the stored market log and the bus (charts page through it) */
  candleHistory: CandleHistory;
  indicatorSeries: IndicatorSeriesModel;
  metrics: ApiMetrics;
  tokens: TokenService;
  /** which refresh tokens were used and which sessions are revoked */
  refreshLedger: RefreshTokenLedger;
  auth: AuthConfig;
  log: FastifyBaseLogger;
  /** how long the start/stop routes wait for the paper-trader's status event by default */
  commandWaitMs: number;
  /** concurrent SSE + WebSocket connections one client may hold (they are not rate limited) */
  maxLiveConnectionsPerClient: number;
  /** live strategies one client (key or token subject) may have started; null = no cap */
  maxRunningStrategiesPerClient: number | null;
  /** notification channels configured by environment, secrets redacted */
  notificationChannels: readonly NotificationChannelDto[];
  /** backtests from the browser, run off the trading path */
  backtests: BacktestJobs;
}

export interface RouteOptions {
  ctx: ApiContext;
}

export async function requireStrategy(ctx: ApiContext, id: string): Promise<StrategyRecord> {
  const record = await ctx.store.getStrategy(id);
  if (!record) throw strategyNotFound(id);
  return record;
}
