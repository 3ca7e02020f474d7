import { describe, expect, it } from 'vitest';
import { statsFixture } from '../test-support/fixtures.js';
import { statEntries } from './stat-entries.js';

describe('statistics shown on a strategy page', () => {
  it('formats each statistic by its kind and shows "—" where the API has too little data', () => {
    const entries = Object.fromEntries(statEntries(statsFixture({ totalPnl: '-1234.5', sharpe: null, profitFactor: 1.5 })).map((e) => [e.label, e.value]));
    expect(entries).toMatchObject({
      'Total return': '0.13 %',
      'Total PnL': '-1,234.50',
      'Win rate': '28.57 %',
      'Profit factor': '1.50',
      'Closed trades': '7',
      Winners: '2',
      Losers: '5',
      'Fees paid': '1.90',
      Sharpe: '—',
      Sortino: '—',
      CAGR: '—',
      Calmar: '—',
    });
    expect(Object.keys(entries)).toHaveLength(18);
    // the annualised ratios say why they are missing
    const sharpe = statEntries(statsFixture({ sharpe: null })).find((e) => e.label === 'Sharpe');
    expect(sharpe?.note).toBe('not enough data: annualised ratios need 30 daily returns, there is 1');
    const computed = statEntries(statsFixture({ sharpe: 1.234, sortino: 2, cagrPct: 12, calmar: 3, dailyReturns: 40, ratiosNote: null }));
    expect(computed.filter((e) => e.note !== undefined)).toEqual([]);
    expect(computed.find((e) => e.label === 'Sharpe')?.value).toBe('1.23');
  });
});
