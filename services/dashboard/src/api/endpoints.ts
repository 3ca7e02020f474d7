/**
 * Every api-server route the dashboard calls, each with the contract schema of its answer (and the
 * contract type of its body). A change in the API is one edit here, and a renamed field fails the
 * type check and the parse of every answer (parse-response.ts).
 */
import {
  ActiveStrategiesResponse,
  BacktestJobResponse,
  CreateBacktestResponse,
  type CreateBacktestBody,
  CommandResultResponse,
  ConfigsAvailableResponse,
  EquityResponse,
  FeedStatusResponse,
  IndicatorsResponse,
  MarketDataResponse,
  MarketDepthResponse,
  MarketTradesResponse,
  NotificationChannelsResponse,
  OrdersResponse,
  ParityCheckPendingResponse,
  ParityResponse,
  RoundTripsResponse,
  PortfolioResponse,
  PositionsResponse,
  StrategyCandlesResponse,
  ReconcileReportDto,
  RemoveStrategyResponse,
  StrategyParityCheckedV1,
  StrategyStatsResponse,
  StrategyStatusResponse,
  TokenResponse,
  TradesResponse,
  ValidateConfigResponse,
  type MarketTimeframe,
  type ParityCheckBody,
  type StartStrategyBody,
  type StopStrategyBody,
  type RestartStrategyBody,
  type TradesQuery,
} from '@btc-research/contracts';
import { z } from 'zod';

/** POST …/parity/check answers the finished check (200) or its id to poll (202). */
const ParityCheckAnswer = z.union([StrategyParityCheckedV1, ParityCheckPendingResponse]);

/** A route of the API: method, path (with its query) and the schema its 2xx answer must match. */
export interface Endpoint<S extends z.ZodType, B = never> {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  schema: S;
  /** phantom: the request body's type (POST) */
  readonly body?: B;
}

/** The trade-list parameters the dashboard sends: TradesQuery of the contract without the CSV switch. */
export type TradesPageQuery = Partial<Omit<TradesQuery, 'format'>>;
export type TradesRange = Pick<TradesQuery, 'from' | 'to'>;

const V1 = '/api/v1';
const enc = encodeURIComponent;

function get<S extends z.ZodType>(path: string, schema: S): Endpoint<S> {
  return { method: 'GET', path, schema };
}

function post<S extends z.ZodType, B>(path: string, schema: S): Endpoint<S, B> {
  return { method: 'POST', path, schema };
}

/** `?a=1&b=x` of the defined values (empty string when there are none). */
function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

const strategy = (id: string): string => `${V1}/strategies/${enc(id)}`;

export const endpoints = {
  activeStrategies: () => get(`${V1}/strategies/active`, ActiveStrategiesResponse),
  strategyStatus: (id: string) => get(`${strategy(id)}/status`, StrategyStatusResponse),
  strategyStats: (id: string) => get(`${strategy(id)}/stats`, StrategyStatsResponse),
  trades: (id: string, q: TradesPageQuery) => get(`${strategy(id)}/trades${query({ limit: q.limit, cursor: q.cursor, from: q.from, to: q.to })}`, TradesResponse),
  equity: (id: string, limit: number) => get(`${strategy(id)}/equity${query({ limit })}`, EquityResponse),
  orders: (id: string, limit: number) => get(`${strategy(id)}/orders${query({ limit })}`, OrdersResponse),
  roundTrips: (id: string, limit: number) => get(`${strategy(id)}/round-trips${query({ limit })}`, RoundTripsResponse),
  positions: (id: string) => get(`${strategy(id)}/positions`, PositionsResponse),
  indicators: (id: string, limit: number) => get(`${strategy(id)}/indicators${query({ limit })}`, IndicatorsResponse),
  indicatorWindow: (id: string, q: { from: number; to?: number | undefined; bar: MarketTimeframe; limit: number }) =>
    get(`${strategy(id)}/indicators${query({ limit: q.limit, from: q.from, to: q.to, bar: q.bar })}`, IndicatorsResponse),
  strategyCandles: (id: string, q: { timeframe: MarketTimeframe; before?: number | undefined; limit: number }) =>
    get(`${strategy(id)}/candles${query({ timeframe: q.timeframe, before: q.before, limit: q.limit })}`, StrategyCandlesResponse),
  reconcile: (id: string, window: { from?: string | undefined; to?: string | undefined }) => get(`${strategy(id)}/reconcile${query({ from: window.from, to: window.to })}`, ReconcileReportDto),
  parity: (id: string, limit: number) => get(`${strategy(id)}/parity${query({ limit })}`, ParityResponse),
  parityCheck: (id: string) => post<typeof ParityCheckAnswer, ParityCheckBody>(`${strategy(id)}/parity/check`, ParityCheckAnswer),
  startStrategy: () => post<typeof CommandResultResponse, z.input<typeof StartStrategyBody>>(`${V1}/strategies/start`, CommandResultResponse),
  stopStrategy: (id: string) => post<typeof CommandResultResponse, z.input<typeof StopStrategyBody>>(`${strategy(id)}/stop`, CommandResultResponse),
  restartStrategy: (id: string) => post<typeof CommandResultResponse, z.input<typeof RestartStrategyBody>>(`${strategy(id)}/restart`, CommandResultResponse),
  forceExit: (id: string) => post<typeof CommandResultResponse, { note?: string }>(`${strategy(id)}/force-exit`, CommandResultResponse),
  removeStrategy: (id: string): Endpoint<typeof RemoveStrategyResponse> => ({ method: 'DELETE', path: strategy(id), schema: RemoveStrategyResponse }),
  configs: () => get(`${V1}/configs/available`, ConfigsAvailableResponse),
  validateConfig: () => post<typeof ValidateConfigResponse, { yaml: string }>(`${V1}/configs/validate`, ValidateConfigResponse),
  feed: () => get(`${V1}/market/feed`, FeedStatusResponse),
  notificationChannels: (limit: number) => get(`${V1}/notifications/channels${query({ limit })}`, NotificationChannelsResponse),
  portfolio: (days: number) => get(`${V1}/portfolio${query({ days })}`, PortfolioResponse),
  marketData: (symbol: string, timeframe: MarketTimeframe, limit: number) => get(`${V1}/market/data/${enc(symbol)}${query({ timeframes: timeframe, limit })}`, MarketDataResponse),
  depth: (symbol: string, limit: number) => get(`${V1}/market/depth/${enc(symbol)}${query({ limit })}`, MarketDepthResponse),
  marketTrades: (symbol: string, limit: number) => get(`${V1}/market/trades/${enc(symbol)}${query({ limit })}`, MarketTradesResponse),
  createBacktest: () => post<typeof CreateBacktestResponse, z.input<typeof CreateBacktestBody>>(`${V1}/backtests`, CreateBacktestResponse),
  backtest: (id: string) => get(`${V1}/backtests/${enc(id)}`, BacktestJobResponse),
  cancelBacktest: (id: string): Endpoint<typeof BacktestJobResponse> => ({ method: 'DELETE', path: `${V1}/backtests/${enc(id)}`, schema: BacktestJobResponse }),
  token: () => post<typeof TokenResponse, { apiKey: string }>(`${V1}/auth/token`, TokenResponse),
  refresh: () => post<typeof TokenResponse, { refreshToken: string }>(`${V1}/auth/refresh`, TokenResponse),
} as const;

/** Routes that do not answer JSON: the CSV export and the live event stream (text/event-stream). */
export const rawPaths = {
  tradesCsv: (id: string, range: TradesRange) => `${strategy(id)}/trades${query({ format: 'csv', from: range.from, to: range.to })}`,
  events: `${V1}/events`,
} as const;
