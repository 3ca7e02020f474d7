/**
 * Strategy configuration: the typed shape the rest of the engine consumes, the zod schemas that
 * validate the raw YAML tree, and the constants both share.
 *
 * The YAML format is the original btc_research format (see docs/strategy-format.md). Validation is
 * lenient where the original was (unknown keys are warnings, not errors) and strict where a typo
 * would otherwise silently change a backtest (types, timeframes, required keys).
 */
import { z } from 'zod';
import type { IncompleteCandles } from '../candles/candle-aggregator.js';
import type { NotificationsConfig } from './notifications-config.js';

export type { IncompleteCandles };

/** Timeframes a strategy may name. Explicit enum (the original's regex was broken, compat §11 #1). */
export const TIMEFRAMES = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '1w'] as const;
export type ConfigTimeframe = (typeof TIMEFRAMES)[number];

export function isConfigTimeframe(value: unknown): value is ConfigTimeframe {
  return typeof value === 'string' && (TIMEFRAMES as readonly string[]).includes(value);
}

/** The four rule lists, named as in the YAML `logic` section. */
export const RULE_LISTS = ['entry_long', 'exit_long', 'entry_short', 'exit_short'] as const;
export type RuleListName = (typeof RULE_LISTS)[number];

/** How the rules of one list combine: `all` = AND (the original's behaviour for every list), `any` = OR. */
export type RuleCombinator = 'all' | 'any';

/** `legacy` reproduces the original's quirks (compat §11); `default` follows the documented intent. */
export type CompatMode = 'legacy' | 'default';

/** Quote assets recognised when a symbol is written without a slash ("BTCUSDT"). Longest first. */
export const KNOWN_QUOTE_ASSETS = ['FDUSD', 'USDT', 'USDC', 'BUSD', 'TUSD', 'USDP', 'DAI', 'USD', 'EUR', 'GBP', 'TRY', 'BTC', 'ETH', 'BNB'] as const;

export const DEFAULT_EXCHANGE = 'binanceus';
/** Venues with a market-data connector (ARCHITECTURE §3); others load with a warning. */
export const SUPPORTED_EXCHANGES = ['binance', 'binanceus'] as const;
export const DEFAULT_CASH = 10_000;
export const DEFAULT_COMMISSION = 0.001;

// ---------------------------------------------------------------------------------------------
// Typed configuration (what loadStrategyConfig returns)
// ---------------------------------------------------------------------------------------------

export interface IndicatorConfig {
  /** Column prefix (compat §2.0). Starts with a letter; letters, digits, underscore. */
  readonly id: string;
  /** Registry name, case-sensitive ("EMA", "VolumeProfile", …). Not checked here. */
  readonly type: string;
  readonly timeframe: ConfigTimeframe;
  /** Every other key of the entry, unchanged. Checked by the indicator registry. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Position in the `indicators` list (its path is `indicators[index]`). */
  readonly index: number;
}

export type RuleLists = Readonly<Record<RuleListName, readonly string[]>>;

export interface LogicConfig {
  readonly lists: RuleLists;
  /** Per-list combinator (`<list>_mode` in YAML). Default `all`, as the original. */
  readonly modes: Readonly<Record<RuleListName, RuleCombinator>>;
  /**
   * Document path of each list ("logic.entry_long", or "variants.<name>.entry_long" after
   * selectVariant): rule i of a list is at `${sources[list]}[i]` for positionOf / positionInRule.
   */
  readonly sources: Readonly<Record<RuleListName, string>>;
}

/** A partial `logic` block: only the listed lists (and modes) replace the top-level ones. */
export interface VariantConfig {
  readonly lists: Partial<Record<RuleListName, readonly string[]>>;
  readonly modes: Partial<Record<RuleListName, RuleCombinator>>;
}

export interface BacktestConfig {
  readonly cash: number;
  /** Fraction of notional charged per fill. */
  readonly commission: number;
  /** Fraction of price; undefined when the file does not say (execution picks the mode's default). */
  readonly slippage: number | undefined;
  /** Normalised "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ"; undefined when absent. */
  readonly from: string | undefined;
  readonly to: string | undefined;
  /** UTC epoch milliseconds of `from` / `to` (a date alone means 00:00 UTC of that day). */
  readonly fromMs: number | undefined;
  readonly toMs: number | undefined;
  /** when resting limits fill from live books and trades (docs/execution.md); default trade_through */
  readonly queue: 'trade_through' | 'queue_position';
  /** cancel acknowledgement latency; undefined: cancels land at once */
  readonly cancelLatencyMs: { min: number; max: number } | undefined;
}

export type PositionSizing =
  /** A fixed quantity of the base asset per entry (legacy HEAD behaviour: 1 unit). */
  | { readonly mode: 'fixed_units'; readonly units: number }
  /** Notional = fraction × equity. */
  | { readonly mode: 'percent_equity'; readonly fraction: number }
  /** Units = equity × riskPct / |entry − stop|, notional capped at maxPositionPct × equity. */
  | { readonly mode: 'risk'; readonly riskPct: number; readonly maxPositionPct: number; readonly minNotional: number | undefined };

export interface StopLossConfig {
  /** Stop distance as a fraction of entry price (YAML `percent`, original `base_percent`). */
  readonly percent: number | undefined;
  /** Stop distance in ATRs (YAML `atr_multiplier`, original also top-level `atr_stop_multiplier`). */
  readonly atrMultiplier: number | undefined;
  readonly minDistancePct: number | undefined;
  readonly maxDistancePct: number | undefined;
}

export interface PartialExit {
  /** Profit level as a fraction of entry price (0.02 = +2 %). */
  readonly level: number;
  /** Fraction of the position closed at that level (0.3 = 30 %). */
  readonly fraction: number;
}

export interface TakeProfitConfig {
  readonly percent: number | undefined;
  readonly partialExits: readonly PartialExit[];
}

export interface RiskManagementConfig {
  /** Resolved sizing. `sizingSource` says where it came from. */
  readonly sizing: PositionSizing;
  /**
   * `explicit`: a `position_sizing` block; `risk_pct`: derived from the original's `risk_pct` /
   * `max_position_pct` / `use_position_sizing` keys; `default`: nothing said (risk 1 %, cap 20 %).
   */
  readonly sizingSource: 'explicit' | 'risk_pct' | 'default';
  readonly stopLoss: StopLossConfig | undefined;
  readonly takeProfit: TakeProfitConfig | undefined;
  /** The section as written, for display. */
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface EquityProtectionConfig {
  readonly enabled: boolean;
  readonly drawdownThreshold: number;
  readonly biasFlipThreshold: number;
  readonly smoothingWindow: number;
  readonly enableOnBiasFlip: boolean;
  readonly raw: Readonly<Record<string, unknown>>;
}

export type OptimizationParameterType = 'integer' | 'float' | 'categorical' | 'boolean';

export interface OptimizationParameter {
  /** "<indicator id>.<param>" or a bare param name (compat §1.8). */
  readonly name: string;
  readonly type: OptimizationParameterType;
  readonly low: number | undefined;
  readonly high: number | undefined;
  readonly step: number | undefined;
  readonly choices: readonly unknown[] | undefined;
  readonly default: unknown;
  readonly logScale: boolean;
}

export interface OptimizationConfig {
  readonly parameters: readonly OptimizationParameter[];
  /** `optimization.defaults` as written (method, validation, metric, …). */
  readonly defaults: Readonly<Record<string, unknown>> | undefined;
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface StrategyConfig {
  readonly file: string;
  readonly name: string | undefined;
  readonly description: string | undefined;
  readonly version: string | undefined;
  /** Canonical "BASE/QUOTE" (upper case), e.g. "BTC/USDT". */
  readonly symbol: string;
  /** Exchange market id without separator, e.g. "BTCUSDT". */
  readonly marketSymbol: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  /** ccxt-style exchange id, lower case. Default "binanceus" as the original. */
  readonly exchange: string;
  /** Label → timeframe. `entry` is the timeframe rules are evaluated on; other labels are informational. */
  readonly timeframes: Readonly<Record<string, ConfigTimeframe>> & { readonly entry: ConfigTimeframe };
  readonly entryTimeframe: ConfigTimeframe;
  readonly indicators: readonly IndicatorConfig[];
  readonly logic: LogicConfig;
  readonly backtest: BacktestConfig;
  readonly riskManagement: RiskManagementConfig | undefined;
  readonly equityProtection: EquityProtectionConfig | undefined;
  readonly variants: Readonly<Record<string, VariantConfig>>;
  readonly optimization: OptimizationConfig | undefined;
  readonly compat: CompatMode;
  /**
   * `incomplete_candles`: whether a higher-timeframe bucket with missing minutes becomes a candle of
   * the minutes present (`keep`, default, the original's resampling) or none (`skip`).
   */
  readonly incompleteCandles: IncompleteCandles;
  /** The `notifications:` section; undefined when absent and always in legacy mode (ignored there). */
  readonly notifications: NotificationsConfig | undefined;
  /** Variant applied by selectVariant, if any. */
  readonly selectedVariant: string | undefined;
  /** Top-level keys the engine does not use (market_filters, notes, …), kept as written. */
  readonly extras: Readonly<Record<string, unknown>>;
  /** Source position of every node, by document path (plain data, JSON-serialisable). */
  readonly positions: Readonly<Record<string, NodePosition>>;
}

// ---------------------------------------------------------------------------------------------
// Problems
// ---------------------------------------------------------------------------------------------

export interface ConfigProblem {
  /** Stable SCREAMING_SNAKE identifier, e.g. "MISSING_KEY", "UNKNOWN_TIMEFRAME". */
  readonly code: string;
  readonly message: string;
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** Path in the document, e.g. "indicators[2].length"; "" for the document itself. */
  readonly path: string;
  readonly found?: string;
  readonly allowed?: string;
}

export interface SourcePosition {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

/** Where a node is: its value (or list item), and for mapping entries its key. */
export interface NodePosition extends SourcePosition {
  readonly key?: SourcePosition;
  /** For single-line string scalars: number of characters before the text starts (1 for a quote). */
  readonly textOffset?: number;
}

// ---------------------------------------------------------------------------------------------
// Known keys (anything else is warned about)
// ---------------------------------------------------------------------------------------------

export const TOP_LEVEL_KEYS = [
  'name', 'description', 'version', 'symbol', 'exchange', 'timeframes', 'indicators', 'logic', 'backtest',
  'risk_management', 'equity_protection', 'variants', 'optimization', 'compat', 'incomplete_candles',
  'notifications',
] as const;

export const LOGIC_KEYS = [...RULE_LISTS, ...RULE_LISTS.map((l) => `${l}_mode` as const)] as const;

export const BACKTEST_KEYS = ['cash', 'commission', 'slippage', 'from', 'to', 'queue', 'cancel_latency_ms'] as const;

/** risk_management keys this engine uses. */
export const RISK_KEYS = ['position_sizing', 'risk_pct', 'max_position_pct', 'use_position_sizing', 'stop_loss', 'take_profit', 'atr_stop_multiplier', 'min_stop_distance_pct', 'max_stop_distance_pct', 'enabled'] as const;
/** risk_management keys the original configs contain that have no effect (original ignored them too). */
export const RISK_IGNORED_KEYS = ['position_size', 'protection_mode'] as const;
export const POSITION_SIZING_KEYS = ['mode', 'units', 'fraction', 'percent', 'risk_pct', 'max_position_pct', 'min_notional'] as const;
export const STOP_LOSS_KEYS = ['percent', 'base_percent', 'atr_multiplier', 'atr_based', 'min_distance_pct', 'max_distance_pct'] as const;
export const STOP_LOSS_IGNORED_KEYS = ['use_vp_levels', 'vp_buffer', 'adx_adjustments', 'trending_multiplier', 'ranging_multiplier'] as const;
export const TAKE_PROFIT_KEYS = ['percent', 'base_percent', 'partial_exits'] as const;
export const TAKE_PROFIT_IGNORED_KEYS = ['use_vp_targets'] as const;

export const EQUITY_PROTECTION_KEYS = ['enabled', 'drawdown_threshold', 'bias_flip_threshold', 'smoothing_window', 'enable_on_bias_flip'] as const;
export const EQUITY_PROTECTION_IGNORED_KEYS = ['min_equity_history', 'flatten_positions_on_trigger', 'disable_new_entries', 'recovery_mechanism', 'bias_detection', 'emergency_controls'] as const;

// ---------------------------------------------------------------------------------------------
// zod schemas of the raw YAML tree (structure and types; transformation happens in the loader)
// ---------------------------------------------------------------------------------------------

const nonNegative = z.number().nonnegative();
const fraction = z.number().min(0).max(1);
const latencyMs = z.number().int().min(0).max(60_000);
const ruleString = z.string().trim().min(1, { error: 'a rule must be a non-empty string' });
const ruleList = z.array(ruleString);
const combinator = z.enum(['all', 'any']);

const timeframeSchema = z.enum(TIMEFRAMES);

/** Fields whose format is checked by the loader (dates, symbol) accept any scalar here. */
const scalar = z.unknown();

export const indicatorSchema = z.looseObject({
  id: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, {
    error: 'an indicator id must start with a letter and contain only letters, digits and underscores',
  }),
  type: z.string().min(1),
  timeframe: timeframeSchema,
});

const logicShape = Object.fromEntries([
  ...RULE_LISTS.map((l) => [l, ruleList.nullish()] as const),
  ...RULE_LISTS.map((l) => [`${l}_mode`, combinator.optional()] as const),
]) as Record<RuleListName, z.ZodOptional<z.ZodNullable<typeof ruleList>>> &
  Record<`${RuleListName}_mode`, z.ZodOptional<typeof combinator>>;

export const logicSchema = z.looseObject(logicShape);

export const backtestSchema = z.looseObject({
  cash: z.number().positive().optional(),
  commission: fraction.optional(),
  slippage: fraction.optional(),
  from: scalar.optional(),
  to: scalar.optional(),
  queue: z.enum(['trade_through', 'queue_position']).optional(),
  cancel_latency_ms: z
    .union([latencyMs, z.tuple([latencyMs, latencyMs]).refine(([min, max]) => min <= max, { error: 'cancel_latency_ms [min, max] needs min ≤ max' })])
    .optional(),
});

const partialExitSchema = z.looseObject({ level: z.number().positive(), percent: z.number().gt(0).max(1) });

export const riskManagementSchema = z.looseObject({
  enabled: z.boolean().optional(),
  position_sizing: z
    .looseObject({
      mode: z.enum(['fixed_units', 'percent_equity', 'risk']),
      units: z.number().positive().optional(),
      fraction: z.number().gt(0).max(1).optional(),
      percent: z.number().gt(0).max(1).optional(),
      risk_pct: z.number().gt(0).max(1).optional(),
      max_position_pct: z.number().gt(0).max(1).optional(),
      min_notional: nonNegative.optional(),
    })
    .optional(),
  risk_pct: z.number().gt(0).max(1).optional(),
  max_position_pct: z.number().gt(0).max(1).optional(),
  use_position_sizing: z.boolean().optional(),
  atr_stop_multiplier: z.number().positive().optional(),
  min_stop_distance_pct: fraction.optional(),
  max_stop_distance_pct: fraction.optional(),
  stop_loss: z
    .looseObject({
      percent: z.number().gt(0).max(1).optional(),
      base_percent: z.number().gt(0).max(1).optional(),
      atr_multiplier: z.number().positive().optional(),
      atr_based: z.boolean().optional(),
      min_distance_pct: fraction.optional(),
      max_distance_pct: fraction.optional(),
    })
    .optional(),
  take_profit: z
    .looseObject({
      percent: z.number().gt(0).optional(),
      base_percent: z.number().gt(0).optional(),
      partial_exits: z.array(partialExitSchema).optional(),
    })
    .optional(),
});

export const equityProtectionSchema = z.looseObject({
  enabled: z.boolean().optional(),
  drawdown_threshold: z.number().gt(0).max(1).optional(),
  bias_flip_threshold: z.number().gt(0).max(1).optional(),
  smoothing_window: z.number().int().positive().optional(),
  enable_on_bias_flip: z.boolean().optional(),
});

const optimizationParameterSchema = z.looseObject({
  name: z.string().min(1),
  type: z.enum(['integer', 'float', 'categorical', 'boolean']),
  low: z.number().optional(),
  high: z.number().optional(),
  step: z.number().positive().optional(),
  choices: z.array(z.unknown()).min(1).optional(),
  log_scale: z.boolean().optional(),
});

export const optimizationSchema = z.looseObject({
  parameters: z.array(optimizationParameterSchema).optional(),
  defaults: z.record(z.string(), z.unknown()).optional(),
});

export const variantSchema = z.looseObject(logicShape);

/** The whole document. Dates, symbol and version are checked by the loader with precise messages. */
export const strategyDocumentSchema = z.looseObject({
  name: z.string().min(1).max(200).optional(),
  description: z.string().optional(),
  version: z.union([z.string(), z.number()]).optional(),
  symbol: z.string().min(1),
  exchange: z.string().min(1).optional(),
  timeframes: z.object({ entry: timeframeSchema }).catchall(timeframeSchema),
  indicators: z.array(indicatorSchema).nullish(),
  logic: logicSchema.nullish(),
  backtest: backtestSchema.nullish(),
  risk_management: riskManagementSchema.nullish(),
  equity_protection: equityProtectionSchema.nullish(),
  variants: z.record(z.string(), variantSchema).nullish(),
  optimization: optimizationSchema.nullish(),
  compat: z.enum(['legacy', 'default']).optional(),
  incomplete_candles: z.enum(['keep', 'skip']).optional(),
});

export type StrategyDocument = z.infer<typeof strategyDocumentSchema>;
