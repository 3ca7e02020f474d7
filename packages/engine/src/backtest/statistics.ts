const DAY_MS = 86_400_000;
const YEAR_DAYS = 365;
/**
 * Annualised ratios (CAGR, Sharpe, Sortino, Calmar) from fewer daily returns than this are noise
 * scaled by √365 (two days gave Sharpe ±13.5): they are reported as null with the reason instead.
 */
export const MIN_DAILY_RETURNS_FOR_RATIOS = 30;

export interface ClosedTrade {
  side: 'long' | 'short';
  entryTime: number;
  exitTime: number;
  entryPrice: number;
  exitPrice: number;
  quantity: number;
  /** price PnL minus the fees of entry and exit */
  netPnl: number;
  fees: number;
}

export interface EquitySample {
  time: number;
  equity: number;
}

export interface PerformanceStatistics {
  initialEquity: number;
  finalEquity: number;
  totalReturn: number;
  /** null when there are fewer than MIN_DAILY_RETURNS_FOR_RATIOS daily returns (see ratiosUnavailable) */
  cagr: number | null;
  sharpe: number | null;
  sortino: number | null;
  calmar: number | null;
  /** how many daily returns the ratios are computed from */
  dailyReturns: number;
  /** why the annualised ratios are null, or null when they are computed */
  ratiosUnavailable: string | null;
  maxDrawdown: number;
  maxDrawdownDurationMs: number;
  profitFactor: number;
  winRate: number;
  expectancy: number;
  exposure: number;
  feesPaid: number;
  closedTrades: number;
  days: number;
}

/**
 * Statistics over an equity curve sampled at candle closes and the closed round trips.
 * Formulas (docs/backtesting.md): returns are daily (last equity of each UTC day over the previous
 * day's, the first day over the initial equity), annualised on 365 days:
 * Sharpe = mean/stdev(sample, n−1) × √365 (risk-free 0), Sortino = mean / √(Σ min(0,r)²/n) × √365,
 * CAGR = (final/initial)^(365/days) − 1 with days = (last − first sample time)/1 day,
 * Calmar = CAGR / max drawdown, win rate = trades with net PnL > 0 / closed trades,
 * profit factor = Σ winning net PnL / |Σ losing net PnL|, expectancy = mean net PnL per trade,
 * exposure = time with a position / days. With fewer than 30 daily returns the four annualised
 * ratios are null and `ratiosUnavailable` says why.
 */
export function computeStatistics(input: {
  initialEquity: number;
  samples: readonly EquitySample[];
  trades: readonly ClosedTrade[];
  feesPaid: number;
  exposedMs: number;
  /** fewer daily returns than this give null ratios; MIN_DAILY_RETURNS_FOR_RATIOS unless a test checks the formulas */
  minDailyReturnsForRatios?: number;
}): PerformanceStatistics {
  const { initialEquity, samples, trades } = input;
  const finalEquity = samples.length > 0 ? samples[samples.length - 1]!.equity : initialEquity;
  const start = samples[0]?.time ?? 0;
  const end = samples[samples.length - 1]?.time ?? 0;
  const spanMs = Math.max(0, end - start);
  const days = spanMs / DAY_MS;

  // Drawdown: from the running peak (initial equity included). Its duration runs from the peak to
  // the first sample back at or above it, or to the last sample when the curve never recovers.
  let peak = initialEquity;
  let peakTime = start;
  let underwater = false;
  let maxDd = 0;
  let maxDdDuration = 0;
  // Daily returns: the last equity of each UTC day (a sample at exactly 00:00 closes the previous day).
  const daily: number[] = [];
  let dayIndex = Math.floor((start - 1) / DAY_MS);
  let dayStartEquity = initialEquity;
  let lastEquity = initialEquity;
  for (const s of samples) {
    if (s.equity >= peak) {
      if (underwater && s.time - peakTime > maxDdDuration) maxDdDuration = s.time - peakTime;
      underwater = false;
      peak = s.equity;
      peakTime = s.time;
    } else {
      underwater = true;
      const dd = peak > 0 ? (peak - s.equity) / peak : 0;
      if (dd > maxDd) maxDd = dd;
    }
    const d = Math.floor((s.time - 1) / DAY_MS);
    if (d !== dayIndex) {
      if (dayStartEquity > 0) daily.push(lastEquity / dayStartEquity - 1);
      dayStartEquity = lastEquity;
      dayIndex = d;
    }
    lastEquity = s.equity;
  }
  if (underwater && end - peakTime > maxDdDuration) maxDdDuration = end - peakTime;
  if (samples.length > 0 && dayStartEquity > 0) daily.push(lastEquity / dayStartEquity - 1);

  const mean = daily.length > 0 ? daily.reduce((a, r) => a + r, 0) / daily.length : 0;
  const variance = daily.length > 1 ? daily.reduce((a, r) => a + (r - mean) ** 2, 0) / (daily.length - 1) : 0;
  const downside = daily.length > 0 ? Math.sqrt(daily.reduce((a, r) => a + Math.min(0, r) ** 2, 0) / daily.length) : 0;
  const sharpe = variance > 0 ? (mean / Math.sqrt(variance)) * Math.sqrt(YEAR_DAYS) : 0;
  const sortino = downside > 0 ? (mean / downside) * Math.sqrt(YEAR_DAYS) : 0;
  const totalReturn = initialEquity > 0 ? finalEquity / initialEquity - 1 : 0;
  const cagr = days > 0 && finalEquity > 0 && initialEquity > 0 ? Math.pow(finalEquity / initialEquity, YEAR_DAYS / days) - 1 : 0;
  const calmar = maxDd > 0 ? cagr / maxDd : 0;

  let grossWin = 0;
  let grossLoss = 0;
  let wins = 0;
  for (const t of trades) {
    if (t.netPnl > 0) {
      grossWin += t.netPnl;
      wins += 1;
    } else grossLoss += -t.netPnl;
  }
  const profitFactor = grossLoss > 0 ? grossWin / grossLoss : grossWin > 0 ? Number.POSITIVE_INFINITY : 0;
  const minDays = input.minDailyReturnsForRatios ?? MIN_DAILY_RETURNS_FOR_RATIOS;
  const hasEnoughDays = daily.length >= minDays;
  return {
    initialEquity,
    finalEquity,
    totalReturn,
    cagr: hasEnoughDays ? cagr : null,
    sharpe: hasEnoughDays ? sharpe : null,
    sortino: hasEnoughDays ? sortino : null,
    calmar: hasEnoughDays ? calmar : null,
    dailyReturns: daily.length,
    ratiosUnavailable: hasEnoughDays ? null : `not enough data: annualised ratios need ${minDays} daily returns, there ${daily.length === 1 ? 'is' : 'are'} ${daily.length}`,
    maxDrawdown: maxDd,
    maxDrawdownDurationMs: maxDdDuration,
    profitFactor,
    winRate: trades.length > 0 ? wins / trades.length : 0,
    expectancy: trades.length > 0 ? (grossWin - grossLoss) / trades.length : 0,
    exposure: spanMs > 0 ? input.exposedMs / spanMs : 0,
    feesPaid: input.feesPaid,
    closedTrades: trades.length,
    days,
  };
}
