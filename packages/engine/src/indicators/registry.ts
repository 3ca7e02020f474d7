import { adxDefinition } from './adx.js';
import { atrDefinition } from './atr.js';
import { bollingerDefinition } from './bollinger.js';
import { cciDefinition } from './cci.js';
import { emaDefinition } from './ema.js';
import { fvgDefinition } from './fvg.js';
import type { AnyIndicatorDefinition, IndicatorDefinition } from './indicator.js';
import { macdDefinition } from './macd.js';
import { mfiDefinition } from './mfi.js';
import { natrDefinition } from './natr.js';
import { obvDefinition } from './obv.js';
import { riskManagementDefinition } from './risk-management.js';
import { rsiDefinition } from './rsi.js';
import { smaDefinition } from './sma.js';
import { stochasticDefinition } from './stochastic.js';
import { volumeProfileDefinition } from './volume-profile.js';
import { vpfvgSignalDefinition } from './vpfvg-signal.js';
import { williamsRDefinition } from './williams-r.js';

const definitions: AnyIndicatorDefinition[] = [
  // The original's registry (compat §1.4).
  emaDefinition,
  rsiDefinition,
  adxDefinition,
  fvgDefinition,
  volumeProfileDefinition,
  vpfvgSignalDefinition,
  riskManagementDefinition,
  // Standard TA-Lib indicators added by this project.
  smaDefinition,
  atrDefinition,
  natrDefinition,
  macdDefinition,
  bollingerDefinition,
  stochasticDefinition,
  cciDefinition,
  williamsRDefinition,
  mfiDefinition,
  obvDefinition,
];

/** Every indicator type a strategy config can name, keyed by its case-sensitive registry name. */
export const indicatorRegistry: ReadonlyMap<string, IndicatorDefinition> = new Map(
  definitions.map((d) => [d.type, d as IndicatorDefinition]),
);
