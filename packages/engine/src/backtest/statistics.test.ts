import { describe, expect, it } from 'vitest';
import { computeStatistics, type ClosedTrade } from './statistics.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;

/** relative (or absolute near 0) agreement to 1e-12 */
function near(actual: number, expected: number): void {
  const scale = Math.max(1, Math.abs(expected));
  expect(Math.abs(actual - expected) / scale).toBeLessThan(1e-12);
}

const trade = (netPnl: number): ClosedTrade => ({ side: 'long', entryTime: T0, exitTime: T0 + HOUR, entryPrice: 100, exitPrice: 100, quantity: 1, netPnl, fees: 0.1 });

describe('computeStatistics against hand-computed values', () => {
  // Equity 100 at the start; samples (time → equity):
  //   day 0 12:00 → 110 (peak), day 1 00:00 → 105 (closes day 0), day 1 12:00 → 99,
  //   day 2 00:00 → 120 (closes day 1, new peak), day 3 00:00 → 108 (closes day 2)
  const samples = [
    { time: T0 + 12 * HOUR, equity: 110 },
    { time: T0 + DAY, equity: 105 },
    { time: T0 + DAY + 12 * HOUR, equity: 99 },
    { time: T0 + 2 * DAY, equity: 120 },
    { time: T0 + 3 * DAY, equity: 108 },
  ];
  // three daily returns: the formulas are checked with the 30-day floor lowered to 1
  const s = computeStatistics({ initialEquity: 100, samples, trades: [trade(10), trade(-5), trade(0), trade(7)], feesPaid: 1.25, exposedMs: 1.25 * DAY, minDailyReturnsForRatios: 1 });
  const ratio = (x: number | null): number => {
    expect(x).not.toBeNull();
    return x!;
  };

  it('returns, CAGR and the span', () => {
    expect(s.finalEquity).toBe(108);
    near(s.totalReturn, 0.08);
    near(s.days, 2.5); // first sample day 0 12:00, last day 3 00:00
    // (108/100)^(365/2.5) − 1
    near(ratio(s.cagr), 75833.75728207202);
  });

  it('Sharpe and Sortino on daily returns, annualised with √365', () => {
    // daily returns: 105/100−1 = 0.05, 120/105−1 = 0.142857…, 108/120−1 = −0.1
    // mean = 0.0309523809523…, sample stdev = 0.1225438974519787
    // Sharpe = mean/stdev × √365 = 4.8255720609441015
    near(ratio(s.sharpe), 4.8255720609441015);
    // downside deviation = √((0 + 0 + 0.01)/3) = 0.0577350…; Sortino = mean/dd × √365
    near(ratio(s.sortino), 10.242385590526949);
  });

  it('max drawdown, its duration (peak to recovery, or to the end) and Calmar', () => {
    // peak 110 → trough 99: 11/110 = 0.1; peak 120 → 108: 12/120 = 0.1
    near(s.maxDrawdown, 0.1);
    // underwater from day 0 12:00 (peak 110) until day 2 00:00 (120 ≥ 110): 1.5 days;
    // the second drawdown lasts 1 day to the end
    expect(s.maxDrawdownDurationMs).toBe(1.5 * DAY);
    near(ratio(s.calmar), 75833.75728207202 / 0.1);
  });

  it('trade statistics: a zero-PnL trade is not a win', () => {
    expect(s.closedTrades).toBe(4);
    near(s.winRate, 0.5); // 10 and 7 win; −5 and 0 do not
    near(s.profitFactor, 17 / 5);
    near(s.expectancy, (10 - 5 + 0 + 7) / 4);
    near(s.exposure, 1.25 / 2.5);
    expect(s.feesPaid).toBe(1.25);
  });

  it('gives no annualised ratio from fewer than 30 daily returns, and says why', () => {
    const short = computeStatistics({ initialEquity: 100, samples, trades: [], feesPaid: 0, exposedMs: 0 });
    expect([short.cagr, short.sharpe, short.sortino, short.calmar]).toEqual([null, null, null, null]);
    expect(short.dailyReturns).toBe(3);
    expect(short.ratiosUnavailable).toBe('not enough data: annualised ratios need 30 daily returns, there are 3');
    expect(s.ratiosUnavailable).toBeNull();
    // 30 days of +1 % and −0.5 % in turn: enough, so every ratio is a number
    const month = Array.from({ length: 30 }, (_, i) => i).reduce<{ time: number; equity: number }[]>((acc, i) => {
      const prev = acc[acc.length - 1]?.equity ?? 100;
      acc.push({ time: T0 + (i + 1) * DAY, equity: prev * (i % 2 === 0 ? 1.01 : 0.995) });
      return acc;
    }, []);
    const long = computeStatistics({ initialEquity: 100, samples: month, trades: [], feesPaid: 0, exposedMs: 0 });
    expect(long.dailyReturns).toBe(30);
    expect(long.ratiosUnavailable).toBeNull();
    expect([long.sharpe, long.sortino, long.cagr, long.calmar].every((x) => typeof x === 'number' && Number.isFinite(x))).toBe(true);
    // Sortino divides by the downside deviation only: with gains larger than losses it exceeds Sharpe
    expect(long.sortino!).toBeGreaterThan(long.sharpe!);
  });

  it('edge cases: no trades, no losses, a flat curve', () => {
    const flat = computeStatistics({ initialEquity: 100, samples: [{ time: T0 + DAY, equity: 100 }, { time: T0 + 2 * DAY, equity: 100 }], trades: [], feesPaid: 0, exposedMs: 0, minDailyReturnsForRatios: 1 });
    expect([flat.totalReturn, flat.sharpe, flat.sortino, flat.maxDrawdown, flat.maxDrawdownDurationMs, flat.profitFactor, flat.winRate, flat.expectancy, flat.calmar]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const winners = computeStatistics({ initialEquity: 100, samples: [{ time: T0 + DAY, equity: 101 }], trades: [trade(1)], feesPaid: 0, exposedMs: 0 });
    expect(winners.profitFactor).toBe(Number.POSITIVE_INFINITY);
    expect(winners.winRate).toBe(1);
    const empty = computeStatistics({ initialEquity: 100, samples: [], trades: [], feesPaid: 0, exposedMs: 0 });
    expect(empty.finalEquity).toBe(100);
    expect(empty.days).toBe(0);
  });

  it('a drawdown that never recovers lasts until the last sample', () => {
    const r = computeStatistics({
      initialEquity: 100,
      samples: [
        { time: T0 + HOUR, equity: 90 },
        { time: T0 + 5 * HOUR, equity: 80 },
      ],
      trades: [],
      feesPaid: 0,
      exposedMs: 0,
    });
    near(r.maxDrawdown, 0.2); // from the initial equity 100
    expect(r.maxDrawdownDurationMs).toBe(4 * HOUR); // the peak is the initial equity at the first sample's time
  });
});
