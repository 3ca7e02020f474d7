export { ApiErrorCode, ApiErrorBody } from './errors.js';
export {
  StrategyIdParams,
  TradeDto,
  StrategySummaryDto,
  ActiveStrategiesQuery,
  ActiveStrategiesResponse,
  StrategyStatusResponse,
  StrategyStatsResponse,
  TradesQuery,
  RoundTripsQuery,
  RoundTripDto,
  RoundTripsResponse,
  TradesResponse,
  PositionDto,
  PositionsResponse,
  FillQualityDto,
  OrderDto,
  OrdersQuery,
  OrdersResponse,
  EquityQuery,
  EquityPointDto,
  EquityResponse,
  StartStrategyBody,
  StopStrategyBody,
  CommandResultResponse,
  IndicatorsQuery,
  IndicatorSeriesDto,
  IndicatorSeriesKind,
  IndicatorsResponse,
} from './strategies.js';
export { StrategyCandlesQuery, StrategyCandlesResponse } from './strategy-candles.js';
export { IndicatorWarmupDto, WarmupProgressDto } from './warmup.js';
export { MarketTradesQuery, MarketTradesResponse } from './market-trades.js';
export { RestartStrategyBody, RemoveStrategyResponse } from './strategies.js';
export { fillRoleOf, FORCED_EXIT_REASON, type FillRole } from './fill-role.js';
export { FeedStatusResponse, MarketTimeframe, MarketDataParams, MarketDataQuery, CandleDto, MarketDataResponse, DepthQuery, MarketDepthResponse } from './market.js';
export { ConfigProblemDto, ConfigSummaryDto, ConfigsAvailableResponse, ValidateConfigBody, ValidateConfigResponse, ConfigInvalidDetails, MAX_STRATEGY_YAML_BYTES, STRATEGY_YAML_LIMIT_TEXT } from './configs.js';
export { AuthScope, TokenRequestBody, RefreshRequestBody, TokenResponse } from './auth.js';
export { HealthResponse, ReadinessResponse } from './health.js';
export { PortfolioQuery, DailyProfitDto, PortfolioResponse } from './portfolio.js';
export { LiveEventsQuery, LiveEventKind, LiveEventMessage, FEED_SNAPSHOT_EVENT } from './events.js';
export { NotificationChannelDto, NotificationDeliveryStatus, NotificationDeliveryDto, NotificationDeliveriesQuery, NotificationChannelsResponse } from './notifications.js';
export { ParityQuery, ParityResponse, ParityCheckBody, ParityCheckParams, ParityCheckPendingResponse } from './parity.js';
export { CreateBacktestBody, CreateBacktestResponse, BacktestIdParams, BacktestStatusValue, BacktestReportDto, BacktestJobResponse } from './backtests.js';
export { ReconcileQuery, ReconcileReportDto, ReplayDivergenceDto, RoundTripViewDto } from './reconcile.js';
