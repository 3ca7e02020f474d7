export type {
  Indicator,
  IndicatorDefinition,
  IndicatorValue,
  UpstreamColumns,
} from './indicator.js';
export { indicatorRegistry } from './registry.js';
export { computeBatch, type IndicatorColumns, type UpstreamColumnArrays } from './batch.js';
export { parseWithSpecs, type ParamSpec, type ParamSpecs, type ParseResult } from './params.js';
export { RollingSma, WilderAtr, trueRange } from './common.js';
export { Ema, emaDefinition, type EmaParams } from './ema.js';
export { Rsi, rsiDefinition, type RsiParams } from './rsi.js';
export { Adx, adxDefinition, type AdxParams } from './adx.js';
export { Sma, smaDefinition, type SmaParams, type CandleSource } from './sma.js';
export { Atr, atrDefinition, type AtrParams } from './atr.js';
export { Natr, natrDefinition, type NatrParams } from './natr.js';
export { Macd, macdDefinition, type MacdParams } from './macd.js';
export { BollingerBands, bollingerDefinition, type BollingerParams } from './bollinger.js';
export { Stochastic, stochasticDefinition, type StochasticParams } from './stochastic.js';
export { Cci, cciDefinition, type CciParams } from './cci.js';
export { WilliamsR, williamsRDefinition, type WilliamsRParams } from './williams-r.js';
export { Mfi, mfiDefinition, type MfiParams } from './mfi.js';
export { Obv, obvDefinition, type ObvParams } from './obv.js';
export { Fvg, fvgDefinition, type FvgParams } from './fvg.js';
export { VolumeProfile, volumeProfileDefinition, type VolumeProfileParams } from './volume-profile.js';
export { VpfvgSignal, vpfvgSignalDefinition, type VpfvgSignalParams, VPFVG_INPUT_FRAGMENTS } from './vpfvg-signal.js';
export { RiskManagement, riskManagementDefinition, type RiskManagementParams } from './risk-management.js';
