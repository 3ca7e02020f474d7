import type { StrategyStatsResponse } from '@btc-research/contracts';

export interface StatEntry {
  label: string;
  value: string;
  /** why the value is "—", when the API said (too few daily returns for an annualised ratio) */
  note?: string;
}

type Kind = 'money' | 'pct' | 'int' | 'ratio';

/** The statistics a strategy page shows, in order; other fields of the answer are not shown. */
const SHOWN: readonly { key: keyof StrategyStatsResponse; label: string; kind: Kind }[] = [
  { key: 'totalReturnPct', label: 'Total return', kind: 'pct' },
  { key: 'totalPnl', label: 'Total PnL', kind: 'money' },
  { key: 'maxDrawdownPct', label: 'Max drawdown', kind: 'pct' },
  { key: 'winRatePct', label: 'Win rate', kind: 'pct' },
  { key: 'profitFactor', label: 'Profit factor', kind: 'ratio' },
  { key: 'closedTrades', label: 'Closed trades', kind: 'int' },
  { key: 'winningTrades', label: 'Winners', kind: 'int' },
  { key: 'losingTrades', label: 'Losers', kind: 'int' },
  { key: 'averageWin', label: 'Average win', kind: 'money' },
  { key: 'averageLoss', label: 'Average loss', kind: 'money' },
  { key: 'feesPaid', label: 'Fees paid', kind: 'money' },
  { key: 'avgEntryPrice', label: 'Avg. entry price', kind: 'money' },
  { key: 'cash', label: 'Cash', kind: 'money' },
  { key: 'initialCash', label: 'Initial cash', kind: 'money' },
  { key: 'sharpe', label: 'Sharpe', kind: 'ratio' },
  { key: 'sortino', label: 'Sortino', kind: 'ratio' },
  { key: 'cagrPct', label: 'CAGR', kind: 'pct' },
  { key: 'calmar', label: 'Calmar', kind: 'ratio' },
];

/** the annualised ratios, null below 30 daily returns with the API's ratiosNote */
const ANNUALISED: ReadonlySet<keyof StrategyStatsResponse> = new Set(['sharpe', 'sortino', 'cagrPct', 'calmar']);

function formatStat(value: string | number | null, kind: Kind): string {
  const n = typeof value === 'number' ? value : value === null ? NaN : Number(value);
  if (!Number.isFinite(n)) return '—'; // null: the API says there is not enough data for it
  if (kind === 'money') return n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (kind === 'pct') return `${n.toFixed(2)} %`;
  if (kind === 'int') return String(Math.round(n));
  return n.toFixed(2);
}

export function statEntries(stats: StrategyStatsResponse): StatEntry[] {
  return SHOWN.map(({ key, label, kind }) => {
    const value = formatStat(stats[key] as string | number | null, kind);
    return ANNUALISED.has(key) && stats.ratiosNote !== null ? { label, value, note: stats.ratiosNote } : { label, value };
  });
}
