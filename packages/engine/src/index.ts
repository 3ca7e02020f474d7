// Public surface of @btc-research/engine: a pure core (no I/O, no clock, no env).
export { Decimal, ZERO, dec, toDecimalString, canonicalDecimal, roundToIncrement, type DecimalInput } from './core/decimal.js';
export { InvariantError } from './core/invariant-error.js';
export { SeededRng, seedFromString } from './core/rng.js';
export type { Candle } from './model/candle.js';
export { BTCUSDT, instrumentFor, type Instrument } from './model/instrument.js';
export { TIMEFRAMES, isTimeframe, timeframeMs, bucketOpenTime, type Timeframe } from './candles/timeframe.js';
export { CandleAggregator } from './candles/candle-aggregator.js';
export { MinuteCandleBuilder, type TradeTick, type BuiltCandle } from './candles/minute-candle-builder.js';
export type { Indicator, IndicatorDefinition, IndicatorValue, UpstreamColumns } from './indicators/indicator.js';
export { indicatorRegistry, computeBatch } from './indicators/index.js';
export { INDICATOR_OUTPUT_KINDS, type IndicatorOutputKind } from './indicators/output-kind.js';
export { indicatorChartSeries, type IndicatorChartSeries } from './strategy/indicator-chart-series.js';
export { Ledger, type LedgerFill, type LedgerSnapshot, type Side } from './portfolio/ledger.js';
export { fixedUnitsSizer, percentOfEquitySizer, type PositionSizer, type SizingContext } from './portfolio/position-sizer.js';
export {
  defaultExecutionModels,
  percentFeeModel,
  fixedSlippageModel,
  fixedSpreadModel,
  uniformLatencyModel,
  immediateLatencyModel,
  stalenessModel,
  type ExecutionModels,
  type ExecutionModelOverrides,
  type StalenessModel,
  type FeeModel,
  type SlippageModel,
  type SpreadModel,
  type LatencyModel,
} from './execution/execution-models.js';
export {
  SimulatedExchange,
  fillQualityOf,
  type ExecutedFill,
  type ExecutionResult,
  type FillQuality,
  type OrderRequest,
  type OrderStatus,
  type OrderType,
  type Liquidity,
  type SimOrder,
  type RejectReason,
  type FillProvenance,
  type OrderAmendment,
  type FillSource,
  type FillModel,
} from './execution/simulated-exchange.js';
export { tradeThroughQueue, queuePositionModel, type QueueModel } from './execution/queue-models.js';
export { LiveBook, type BookLevel as BookUpdateLevel, type BookUpdate, type TradePrint, type LevelTake } from './execution/live-book.js';
export {
  TradingCore,
  FORCED_EXIT,
  orderView,
  tradeView,
  type CoreTradeView,
  type CoreEvent,
  type CoreInput,
  type CoreOrder,
  type CoreSnapshot,
  type CoreTrade,
  type CoreSummary,
  type RiskRules,
  type EquityProtectionRules,
  type TradingCoreOptions,
} from './kernel/trading-core.js';
export { captureState, restoreState, StateImageError, type StateImage } from './kernel/state-image.js';
export { buildTradingSetup, sizerFor, riskRulesFor, DEFAULT_EQUITY_FRACTION, type TradingSetup, type TradingSetupOptions } from './kernel/trading-setup.js';
export type { StrategyLogic, Signal, PositionSide } from './strategy/strategy-logic.js';
export { CompiledStrategy, type CompileOptions, type CompileResult, type CompatMode } from './strategy/compiled-strategy.js';
export { loadStrategyConfig, selectVariant, formatProblem, type ConfigLoadResult, type LoadOptions } from './strategy/config-loader.js';
export type { StrategyConfig, ConfigProblem, IndicatorConfig, RuleListName } from './strategy/config-schema.js';
export { NOTIFICATION_CHANNELS, NOTIFICATION_EVENTS, DEFAULT_DRAWDOWN_THRESHOLD, type NotificationsConfig, type NotificationChannelId, type NotificationEventKind } from './strategy/notifications-config.js';
export { runBacktest, type BacktestResult, type BacktestSettings } from './backtest/run-backtest.js';
export type { BacktestInput, LegacyLookahead } from './backtest/backtest-input.js';
export { strategyBars, type StrategyBar } from './backtest/strategy-bars.js';
export { computeStatistics, type PerformanceStatistics, type ClosedTrade, type EquitySample } from './backtest/statistics.js';
export { MarketSimulator, type MarketSimulatorOptions, type MarketSimulatorState, type SimulatedTrade, type SimulatedQuote } from './market/market-simulator.js';
export { simulatedMinuteCandles } from './market/simulated-candles.js';
export { decodeRecordedInput, encodeRecordedInput, RecordedInputError, type RecordedInput, type RecordedCandle, type RecordedTrade, type RecordedBook } from './market/recorded-input.js';
export { parseKlineCsv, parseKlineCsvLine, KlineCsvError } from './market/kline-csv.js';
export type { PriceLevel, DepthSnapshot } from './market/book-levels.js';
export { SimulatedDepthBook, type SimulatedDepthBookOptions, type SimulatedDepthDiff } from './market/simulated-depth-book.js';
export { CandleRingBuffer } from './candles/candle-ring-buffer.js';
export { buildBacktestReport, type BacktestReport } from './backtest/report.js';
export { legacyStatistics, formatLegacyNumber, type LegacyStatistics } from './backtest/legacy-statistics.js';
export { formatWarmup, type WarmupReport } from './strategy/warmup.js';
export { reconcileStrategy, type ReconcileInput, type ReconcileReport, type ReconcileResult, type GapAttribution, type RoundTripView, type CurvePoint, type CandleBar } from './reconcile/reconcile-strategy.js';
export { bandParameters, type BandName, type BandParameters } from './reconcile/fill-model-bands.js';
export { compareFills, compareEvents, type ReplayVerdict, type PaperHistory } from './reconcile/replay-comparison.js';
export type { PaperFillRecord, ReconcileFill } from './reconcile/reconcile-fills.js';
export { ParityReplay, compareWithReplay, type ParityReplayOptions } from './parity/parity-replay.js';
export { recordedEventOf, type RecordedEvent } from './parity/recorded-event.js';
export {
  DEFAULT_INDICATOR_TOLERANCE,
  type RecordedLogEntry,
  type PaperEvent,
  type PaperBalances,
  type PaperRecord,
  type IndicatorCheckpoint,
  type Divergence,
  type DivergenceKind,
  type ParityValue,
  type ParityWindow,
  type ParityResult,
} from './parity/parity-types.js';
