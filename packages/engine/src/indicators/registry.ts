import { emaDefinition } from './ema.js';
import type { IndicatorDefinition } from './indicator.js';
import { rsiDefinition } from './rsi.js';

const definitions: IndicatorDefinition<any>[] = [emaDefinition, rsiDefinition];

/** Every indicator type a strategy config can name, keyed by its case-sensitive registry name. */
export const indicatorRegistry: ReadonlyMap<string, IndicatorDefinition> = new Map(
  definitions.map((d) => [d.type, d as IndicatorDefinition]),
);
