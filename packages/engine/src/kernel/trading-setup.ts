import { Decimal } from '../core/decimal.js';
import { seedFromString } from '../core/rng.js';
import { defaultExecutionModels, type ExecutionModelOverrides } from '../execution/execution-models.js';
import { backtraderCashCheck } from '../execution/funds-models.js';
import { queuePositionModel, tradeThroughQueue } from '../execution/queue-models.js';
import { instrumentFor } from '../model/instrument.js';
import { fixedUnitsSizer, percentOfEquitySizer, type PositionSizer } from '../portfolio/position-sizer.js';
import { CompiledStrategy, type CompatMode } from '../strategy/compiled-strategy.js';
import { loadStrategyConfig, selectVariant } from '../strategy/config-loader.js';
import type { ConfigProblem, StrategyConfig } from '../strategy/config-schema.js';
import type { RiskRules, TradingCoreOptions } from './trading-core.js';

export interface TradingSetupOptions {
  strategyId: string;
  compat?: CompatMode;
  variant?: string;
  /** overrides backtest.cash */
  initialCash?: string;
  /** candles closing before this only warm up indicators */
  tradingStartTime?: number;
  /** execution model settings beyond the config (maker rate, latency, staleness); commission and slippage come from the config */
  execution?: Omit<ExecutionModelOverrides, 'commission' | 'slippage'>;
}

export type TradingSetup =
  | { ok: true; config: StrategyConfig; strategy: CompiledStrategy; coreOptions: TradingCoreOptions; warnings: ConfigProblem[] }
  | { ok: false; errors: ConfigProblem[]; warnings: ConfigProblem[] };

/** Default sizing when a config says nothing: 95 % of equity (what the original did before its sizer broke). */
export const DEFAULT_EQUITY_FRACTION = 0.95;

/**
 * Everything a TradingCore needs, derived from a strategy YAML in one place, so the backtester and
 * the paper trader cannot configure a strategy differently.
 */
export function buildTradingSetup(yamlText: string, fileName: string, options: TradingSetupOptions): TradingSetup {
  const loaded = loadStrategyConfig(yamlText, fileName);
  if (!loaded.ok) return { ok: false, errors: loaded.errors, warnings: loaded.warnings };
  let config = loaded.config;
  if (options.variant !== undefined) {
    const v = selectVariant(config, options.variant);
    if (!v.ok) return { ok: false, errors: [v.error], warnings: loaded.warnings };
    config = v.config;
  }
  const compiled = CompiledStrategy.compile(config, { ...(options.compat ? { compat: options.compat } : {}), problemAt: (p, c, m, e) => loaded.problemAt(p, c, m, e) });
  if (!compiled.ok) return { ok: false, errors: compiled.errors, warnings: loaded.warnings };
  const strategy = compiled.strategy;
  const legacy = strategy.compat === 'legacy';
  const models = defaultExecutionModels({
    // the original filled at the next open exactly: no modelled spread (and no slippage, below)
    ...(legacy ? { spread: '0' } : {}),
    ...options.execution,
    // the original's broker: Backtrader's sequential cash check of each bar's orders (compat §6.4)
    ...(legacy ? { funds: backtraderCashCheck() } : {}),
    // resting fills and cancel latency from the config (docs/execution.md), the same in backtests and paper trading
    queue: config.backtest.queue === 'queue_position' ? queuePositionModel() : tradeThroughQueue(),
    ...(config.backtest.cancelLatencyMs ? { cancelLatencyMs: config.backtest.cancelLatencyMs } : {}),
    commission: String(config.backtest.commission),
    slippage: legacy ? '0' : String(config.backtest.slippage ?? 0.0005),
  });
  const coreOptions: TradingCoreOptions = {
    strategyId: options.strategyId,
    instrument: instrumentFor(config.marketSymbol),
    initialCash: new Decimal(options.initialCash ?? String(config.backtest.cash)),
    models,
    sizer: legacy ? fixedUnitsSizer(1) : sizerFor(config),
    rngSeed: seedFromString(options.strategyId),
    // the original's backtester ignored stops and targets; legacy mode keeps that
    risk: legacy ? undefined : riskRulesFor(config),
  };
  const ep = config.equityProtection;
  if (ep?.enabled) {
    coreOptions.equityProtection = {
      drawdownThreshold: ep.drawdownThreshold,
      smoothingWindow: ep.smoothingWindow,
      // legacy: the original suspends everything, exits included (compat §6.6); default blocks entries only (compat §11 #11)
      mode: legacy ? 'suspend' : 'block-entries',
    };
  }
  if (options.tradingStartTime !== undefined) coreOptions.tradingStartTime = options.tradingStartTime;
  return { ok: true, config, strategy, coreOptions, warnings: [...loaded.warnings, ...strategy.unknownNameWarnings] };
}

/** Position sizing from risk_management (docs/strategy-format.md). */
export function sizerFor(config: StrategyConfig): PositionSizer {
  const rm = config.riskManagement;
  if (rm === undefined || rm.sizingSource === 'default') return percentOfEquitySizer(DEFAULT_EQUITY_FRACTION);
  const s = rm.sizing;
  switch (s.mode) {
    case 'fixed_units':
      return fixedUnitsSizer(String(s.units));
    case 'percent_equity':
      return percentOfEquitySizer(Math.min(s.fraction, DEFAULT_EQUITY_FRACTION));
    case 'risk': {
      // units = equity × risk / (entry × stop%) ⇒ notional fraction = risk / stop%, capped.
      const stopPct = rm.stopLoss?.percent;
      const fraction = stopPct !== undefined && stopPct > 0 ? Math.min(s.riskPct / stopPct, s.maxPositionPct) : s.maxPositionPct;
      return percentOfEquitySizer(Math.min(fraction, DEFAULT_EQUITY_FRACTION));
    }
  }
}

/** Stops, targets and partial exits from risk_management (undefined when it sets none). */
export function riskRulesFor(config: StrategyConfig): RiskRules | undefined {
  const rm = config.riskManagement;
  if (rm === undefined) return undefined;
  const sl = rm.stopLoss;
  const tp = rm.takeProfit;
  const rules: RiskRules = {
    stopLossPct: sl?.percent,
    atrMultiplier: sl?.atrMultiplier,
    minDistancePct: sl?.minDistancePct,
    maxDistancePct: sl?.maxDistancePct,
    takeProfitPct: tp?.percent,
    partialExits: (tp?.partialExits ?? []).map((p) => ({ level: p.level, fraction: p.fraction })),
  };
  const any = rules.stopLossPct !== undefined || rules.atrMultiplier !== undefined || rules.takeProfitPct !== undefined || (rules.partialExits?.length ?? 0) > 0;
  return any ? rules : undefined;
}
