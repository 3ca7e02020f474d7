export type {
  Indicator,
  IndicatorDefinition,
  IndicatorValue,
  UpstreamColumns,
} from './indicator.js';
export { indicatorRegistry } from './registry.js';
export { computeBatch, type IndicatorColumns, type UpstreamColumnArrays } from './batch.js';
export { parseWithSpecs, type ParamSpec, type ParamSpecs, type ParseResult } from './params.js';
export { Ema, emaDefinition, type EmaParams } from './ema.js';
export { Rsi, rsiDefinition, type RsiParams } from './rsi.js';
