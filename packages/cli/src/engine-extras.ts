// Engine modules that @btc-research/engine's index does not export yet (the index is being edited
// by another change); imported by path until it does. Pure modules, no I/O.
export { buildBacktestReport, type BacktestReport } from '../../engine/src/backtest/report.js';
export { legacyStatistics, type LegacyStatistics } from '../../engine/src/backtest/legacy-statistics.js';
export { formatWarmup, type WarmupReport } from '../../engine/src/strategy/warmup.js';
export { TimeframeFeed } from '../../engine/src/strategy/timeframe-feed.js';
