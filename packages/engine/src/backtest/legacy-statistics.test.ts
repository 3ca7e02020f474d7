import { describe, expect, it } from 'vitest';
import { formatLegacyNumber, legacyStatistics } from './legacy-statistics.js';
import type { ClosedTrade } from './statistics.js';

const H = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const trade = (netPnl: number): ClosedTrade => ({ side: 'short', entryTime: 0, exitTime: H, entryPrice: 1, exitPrice: 1, quantity: 1, netPnl, fees: 0 });
const near = (a: number | null, b: number) => expect(Math.abs((a ?? Number.NaN) - b) / Math.max(1, Math.abs(b))).toBeLessThan(1e-12);

describe('legacy statistics block (compat §6.7), hand-computed', () => {
  it('within one calendar year: sharpe_ratio is the normalised annual return; open trade counted', () => {
    const s = legacyStatistics({
      initialCash: 1000,
      barSamples: [
        { time: at('2024-03-01T01:00:00Z'), equity: 1020 },
        { time: at('2024-03-01T02:00:00Z'), equity: 980 },
        { time: at('2024-03-02T00:00:00Z'), equity: 1000 }, // the bar 23:00–00:00 belongs to 03-01
        { time: at('2024-03-02T06:00:00Z'), equity: 1010 },
        { time: at('2024-03-03T12:00:00Z'), equity: 1050 },
      ],
      trades: [trade(12), trade(0), trade(-4)],
      openTrade: true,
    });
    near(s.total_return, 0.05);
    expect(s.final_value).toBe(1050);
    expect(s.sharpe_kind).toBe('normalised annual return');
    near(s.sharpe_ratio, 59.242241375753906); // exp(ln(1.05)/3 × 252) − 1, three distinct days
    near(s.max_drawdown, 40 / 1020);
    expect(s.num_trades).toBe(4); // 3 closed + the open one
    expect(s.win_rate).toBe(0.5); // 12 and 0 (≥ 0) over 4
    near(s.profit_factor, 3);
    expect(s.profit_factor_display).toBe('3.00');
    near(s.avg_trade, 8 / 3);
    expect(s.equity_curve).toEqual([
      { timestamp: '2024-03-01 00:00:00', equity: 1000, return: 0 },
      { timestamp: '2024-03-02 00:00:00', equity: 1010, return: 0.010000000000000009 },
      { timestamp: '2024-03-03 00:00:00', equity: 1050, return: 0.050000000000000044 },
    ]);
  });

  it('two calendar years: Backtrader Sharpe on yearly returns minus 1 %, population stdev', () => {
    const s = legacyStatistics({
      initialCash: 1000,
      barSamples: [
        { time: at('2024-01-01T00:00:00Z'), equity: 1100 }, // last bar of 2023
        { time: at('2024-06-01T00:00:00Z'), equity: 990 },
      ],
      trades: [trade(5)],
      openTrade: false,
    });
    // yearly: 0.1 and −0.1 → minus 0.01: 0.09, −0.11; mean −0.01; population stdev 0.1
    expect(s.sharpe_kind).toBe('calendar-year sharpe');
    near(s.sharpe_ratio, -0.1);
    expect(s.profit_factor).toBe(Number.POSITIVE_INFINITY);
    expect(s.profit_factor_display).toBe('Perfect (no losses)');
    expect(s.num_trades).toBe(1);
  });

  it('no closed trades: profit factor 0, win rate 0', () => {
    const s = legacyStatistics({ initialCash: 1000, barSamples: [], trades: [], openTrade: false });
    expect([s.profit_factor, s.win_rate, s.avg_trade, s.num_trades, s.total_return]).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('legacy statistics when the account is wiped out', () => {
  const bars = [
    { time: at('2025-06-02T00:01:00Z'), equity: 150_000 },
    { time: at('2025-06-03T00:01:00Z'), equity: -8_759.74 },
  ];

  it('sharpe_ratio is −Infinity, as the original reported it (ln of a negative value ratio)', () => {
    const s = legacyStatistics({ initialCash: 200_000, barSamples: bars, trades: [trade(-1000)], openTrade: false });
    expect(s.sharpe_kind).toBe('normalised annual return');
    expect(s.sharpe_ratio).toBe(Number.NEGATIVE_INFINITY);
    near(s.total_return, -208_759.74 / 200_000);
    // the drawdown of a negative value exceeds 100 %, as Backtrader's DrawDown reports it
    near(s.max_drawdown, 1.0437987);
  });

  it('a final value of exactly 0 is −Infinity too (the original failed with a math domain error there)', () => {
    const s = legacyStatistics({ initialCash: 1000, barSamples: [{ time: at('2025-06-02T00:01:00Z'), equity: 0 }], trades: [], openTrade: true });
    expect(s.sharpe_ratio).toBe(Number.NEGATIVE_INFINITY);
  });

  it('no change in value: 0 (the wrapper replaced a zero rnorm by rnorm100 / 100)', () => {
    const s = legacyStatistics({ initialCash: 1000, barSamples: [{ time: at('2025-06-02T00:01:00Z'), equity: 1000 }], trades: [], openTrade: false });
    expect(s.sharpe_ratio).toBe(0);
  });

  it('two calendar years without deviation fall back to the normalised annual return, as Backtrader did', () => {
    const s = legacyStatistics({
      initialCash: 1000,
      barSamples: [
        { time: at('2024-01-01T00:00:00Z'), equity: 1100 },
        { time: at('2024-01-01T00:01:00Z'), equity: 1210 },
      ],
      trades: [],
      openTrade: false,
    });
    expect(s.sharpe_kind).toBe('normalised annual return');
    near(s.sharpe_ratio, Math.expm1((Math.log(1.21) / 2) * 252));
  });

  it('prints non-finite numbers as Python did', () => {
    expect([formatLegacyNumber(Number.NEGATIVE_INFINITY, 2), formatLegacyNumber(Number.POSITIVE_INFINITY, 6), formatLegacyNumber(Number.NaN, 2), formatLegacyNumber(-1.5, 2)]).toEqual(['-inf', 'inf', 'nan', '-1.50']);
  });
});
