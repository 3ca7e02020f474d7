import type { ClosedTrade, EquitySample } from './statistics.js';

const DAY_MS = 86_400_000;

/**
 * The statistics block of the original's `btc-backtest --json` (compat §6.7), computed the way
 * Backtrader computed it, so that old reports can be compared key by key. Shown next to the
 * project's own statistics, never instead of them (compat §11 #10).
 */
export interface LegacyStatistics {
  /** (final value − cash) / cash, a fraction */
  total_return: number;
  final_value: number;
  initial_cash: number;
  /**
   * Backtrader's SharpeRatio on calendar-year returns: mean(r − 0.01) / population stdev, not
   * annualised; when that is undefined (fewer than two calendar years, or no deviation) Backtrader's
   * "normalised annual return" expm1(ln(final/initial) / D × 252), D = distinct UTC days with data
   * (`sharpe_kind` says which). Final value ≤ 0: −Infinity, as the original reported it (its Returns
   * analyzer takes ln of a negative ratio as −∞; exactly 0 made the original fail with a math
   * domain error). Non-finite values are written to JSON as the strings "Infinity", "-Infinity",
   * "NaN" (docs/backtesting.md).
   */
  sharpe_ratio: number;
  sharpe_kind: 'calendar-year sharpe' | 'normalised annual return';
  /** max over bar closes of (running peak − value) / peak */
  max_drawdown: number;
  /** trades opened, including a still-open one */
  num_trades: number;
  /** closed trades with net PnL ≥ 0 over num_trades */
  win_rate: number;
  profit_factor: number;
  profit_factor_display: string;
  /** mean net PnL of closed trades */
  avg_trade: number;
  /** one point per UTC day: the value at the day's last bar */
  equity_curve: Array<{ timestamp: string; equity: number; return: number }>;
}

const pad = (n: number) => String(n).padStart(2, '0');
const dayStamp = (dayIndex: number): string => {
  const d = new Date(dayIndex * DAY_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} 00:00:00`;
};

/**
 * @param barSamples broker value at the close of every entry-timeframe bar (the original's bars)
 * @param openTrade  a position is still open at the end (counted in num_trades, as Backtrader does)
 */
export function legacyStatistics(input: { initialCash: number; barSamples: readonly EquitySample[]; trades: readonly ClosedTrade[]; openTrade: boolean }): LegacyStatistics {
  const { initialCash, barSamples, trades } = input;
  const finalValue = barSamples.length > 0 ? barSamples[barSamples.length - 1]!.equity : initialCash;

  // Bars are stamped by their open time in the original; a sample is a bar close, so its bar's
  // day/year is that of (close − 1 ms).
  let peak = initialCash;
  let maxDd = 0;
  const lastOfDay = new Map<number, number>();
  const lastOfYear = new Map<number, number>();
  for (const s of barSamples) {
    if (s.equity > peak) peak = s.equity;
    else if (peak > 0) maxDd = Math.max(maxDd, (peak - s.equity) / peak);
    const t = s.time - 1;
    lastOfDay.set(Math.floor(t / DAY_MS), s.equity);
    lastOfYear.set(new Date(t).getUTCFullYear(), s.equity);
  }

  let sharpe: number | null = null;
  let kind: LegacyStatistics['sharpe_kind'] = 'normalised annual return';
  if (lastOfYear.size >= 2) {
    const rets: number[] = [];
    let prev = initialCash;
    for (const v of lastOfYear.values()) {
      rets.push(v / prev - 1 - 0.01);
      prev = v;
    }
    const mean = rets.reduce((a, r) => a + r, 0) / rets.length;
    const sd = Math.sqrt(rets.reduce((a, r) => a + (r - mean) ** 2, 0) / rets.length);
    // Backtrader: a zero deviation raises ZeroDivisionError → None, and the wrapper falls back below
    if (sd > 0 && Number.isFinite(mean / sd)) {
      sharpe = mean / sd;
      kind = 'calendar-year sharpe';
    }
  }
  sharpe ??= normalisedAnnualReturn(finalValue, initialCash, lastOfDay.size);

  let grossWin = 0;
  let grossLoss = 0;
  let nonNegative = 0;
  for (const t of trades) {
    if (t.netPnl >= 0) nonNegative += 1;
    if (t.netPnl > 0) grossWin += t.netPnl;
    else grossLoss += -t.netPnl;
  }
  const numTrades = trades.length + (input.openTrade ? 1 : 0);
  const profitFactor = trades.length === 0 ? 0 : grossLoss > 0 ? grossWin / grossLoss : grossWin > 0 ? Number.POSITIVE_INFINITY : 0;
  const equityCurve = [...lastOfDay.entries()].map(([d, v]) => ({ timestamp: dayStamp(d), equity: v, return: v / initialCash - 1 }));
  return {
    total_return: initialCash > 0 ? (finalValue - initialCash) / initialCash : 0,
    final_value: finalValue,
    initial_cash: initialCash,
    sharpe_ratio: sharpe,
    sharpe_kind: kind,
    max_drawdown: maxDd,
    num_trades: numTrades,
    win_rate: numTrades > 0 ? nonNegative / numTrades : 0,
    profit_factor: profitFactor,
    profit_factor_display: Number.isFinite(profitFactor) ? profitFactor.toFixed(2) : 'Perfect (no losses)',
    avg_trade: trades.length > 0 ? trades.reduce((a, t) => a + t.netPnl, 0) / trades.length : 0,
    equity_curve: equityCurve,
  };
}

/**
 * Backtrader's Returns analyzer `rnorm` (daily feed, 252 periods a year) as the original's wrapper
 * used it: ln(final/initial) / days, annualised with expm1; −∞ when the final value is not positive
 * (the analyzer's rtot = −∞). The wrapper replaced a zero by `rnorm100 / 100`, which is 0 as well.
 */
function normalisedAnnualReturn(finalValue: number, initialCash: number, days: number): number {
  if (days === 0 || initialCash <= 0) return 0;
  if (finalValue <= 0) return Number.NEGATIVE_INFINITY;
  return Math.expm1((Math.log(finalValue / initialCash) / days) * 252);
}

/** A number of the original's block as its Python printed it (`f"{x:.{digits}f}"`): `inf`, `-inf`, `nan` when not finite. */
export function formatLegacyNumber(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return x.toFixed(digits);
}
