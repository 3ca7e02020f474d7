import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { formatLegacyNumber, type BacktestReport } from '@btc-research/engine';
import type { ReportChartData } from './report-chart-data.js';

let chartScripts: Promise<string> | null = null;

/**
 * The dashboard's chart code, inlined so that the report is one self-contained file (no CDN):
 * lightweight-charts' standalone build and the strategy chart script of @btc-research/charts
 * (the file the dashboard serves as /assets/strategy-chart.js).
 */
export function loadChartScripts(): Promise<string> {
  if (chartScripts === null) {
    const require = createRequire(import.meta.url);
    const lwc = path.join(path.dirname(require.resolve('lightweight-charts/package.json')), 'dist', 'lightweight-charts.standalone.production.js');
    const strategyChart = require.resolve('@btc-research/charts/strategy-chart.js');
    chartScripts = Promise.all([fs.readFile(lwc, 'utf8'), fs.readFile(strategyChart, 'utf8')]).then((parts) =>
      parts.map((js) => `<script>${js.replace(/<\/script/gi, '<\\/script')}</script>`).join('\n'),
    );
  }
  return chartScripts;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** JSON inside <script>: no "</script>" or "<!--" can end the element early. */
const scriptJson = (v: unknown) =>
  JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x))
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
const isoTime = (t: number | null) => (t === null ? '—' : new Date(t).toISOString().replace('.000Z', 'Z').replace('T', ' '));
const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
const num = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : x > 0 ? '∞' : 'n/a');

/** CAGR, Sharpe, Sortino and Calmar, or "—" with the reason when there are too few daily returns. */
function ratioRows(s: BacktestReport['statistics']): Array<[string, string]> {
  const why = s.ratiosUnavailable === null ? null : `— (${s.ratiosUnavailable})`;
  return [
    ['CAGR (365 d)', why ?? pct(s.cagr ?? 0)],
    [`Sharpe (${s.dailyReturns} daily returns, √365)`, why ?? num(s.sharpe ?? 0, 3)],
    ['Sortino (downside deviation)', why ?? num(s.sortino ?? 0, 3)],
    ['Calmar', why ?? num(s.calmar ?? 0, 3)],
  ];
}

/**
 * A self-contained HTML page: statistics, the dashboard's strategy chart (candles, volume,
 * indicator panes, a marker for every fill, timeframes, zoom), equity and drawdown on dated time
 * axes, the trade list.
 */
export async function renderHtmlReport(r: BacktestReport, chart: ReportChartData): Promise<string> {
  const scripts = await loadChartScripts();
  const s = r.statistics;
  const stats: Array<[string, string]> = [
    ['Final equity', `${s.finalEquity.toFixed(2)} (start ${s.initialEquity.toFixed(2)})`],
    ['Total return', pct(s.totalReturn)],
    ...ratioRows(s),
    ['Max drawdown', pct(s.maxDrawdown)],
    ['Longest drawdown', `${(s.maxDrawdownDurationMs / 3_600_000).toFixed(1)} h`],
    ['Profit factor', num(s.profitFactor, 3)],
    ['Win rate', pct(s.winRate)],
    ['Expectancy / trade', num(s.expectancy)],
    ['Exposure', pct(s.exposure)],
    ['Fees', s.feesPaid.toFixed(2)],
    ['Round trips', `${s.closedTrades}${r.openPosition ? ' + 1 open' : ''}`],
    ['Fills / rejected', `${r.fills.length} / ${r.rejections.length}`],
  ];
  const L = r.legacy;
  const legacyRows: Array<[string, string]> = [
    ['total_return', num(L.total_return, 6)],
    ['final_value', num(L.final_value)],
    ['sharpe_ratio', `${formatLegacyNumber(L.sharpe_ratio, 6)} (${L.sharpe_kind})`],
    ['max_drawdown', num(L.max_drawdown, 6)],
    ['num_trades', String(L.num_trades)],
    ['win_rate', num(L.win_rate, 4)],
    ['profit_factor', L.profit_factor_display],
    ['avg_trade', num(L.avg_trade)],
  ];
  const table = (rows: Array<[string, string]>) => `<table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
  const warm = r.warmup;
  const warmRows = warm.indicators
    .map((e) => `<tr><td>${esc(e.id)}</td><td>${esc(e.type)}</td><td>${e.timeframe}</td><td class="n">${e.bars}</td><td class="n">${e.minutes}</td><td>${e.readByRules ? 'read by rules' : e.gatesSignals ? 'input of a composite' : 'not read'}</td></tr>`)
    .join('');
  const tradeRows = r.roundTrips
    .map(
      (t, i) =>
        `<tr class="${t.netPnl > 0 ? 'win' : 'loss'}"><td class="n">${i + 1}</td><td>${t.side}</td><td>${isoTime(t.entryTime)}</td><td class="n">${t.entryPrice.toFixed(2)}</td><td>${isoTime(t.exitTime)}</td><td class="n">${t.exitPrice.toFixed(2)}</td><td class="n">${t.quantity.toFixed(6)}</td><td class="n">${t.netPnl.toFixed(2)}</td><td class="n">${t.fees.toFixed(2)}</td></tr>`,
    )
    .join('');
  const data = {
    chart,
    equity: r.series.equity.map(([time, value]) => ({ time, value })),
    drawdown: r.series.drawdown.map(([time, value]) => ({ time, value: value * 100 })),
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backtest: ${esc(r.strategy.name)}</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2330; background: #fafbfc; }
  h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
  .meta { color: #5a6270; margin-bottom: 16px; } .warn { color: #9a5b00; }
  .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
  .card { background: #fff; border: 1px solid #e1e4e8; border-radius: 6px; padding: 12px 16px; }
  .chart { position: relative; height: 320px; } .chart.small { height: 220px; }
  .chart-toolbar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin-bottom: 6px; }
  .chart-tf { display: flex; gap: 4px; } .chart-tf button { font: inherit; padding: 2px 8px; border: 1px solid #4c6ef5; background: #fff; color: #4c6ef5; border-radius: 4px; cursor: pointer; }
  .chart-tf button[aria-pressed="true"] { background: #4c6ef5; color: #fff; }
  .chart-box { position: relative; width: 100%; height: 360px; } .muted { color: #5a6270; } .small { font-size: 12px; }
  .chart-toggles { border: 1px solid #e1e4e8; border-radius: 4px; margin-top: 6px; display: flex; flex-wrap: wrap; gap: 2px 14px; }
  .chart-toggle { display: inline-flex; align-items: center; gap: 4px; } .chart-toggle .swatch { width: 10px; height: 10px; display: inline-block; }
  table { border-collapse: collapse; width: 100%; } th, td { padding: 3px 8px; border-bottom: 1px solid #eef0f2; text-align: left; }
  .kv th { font-weight: 500; color: #5a6270; width: 50%; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
  tr.win td { color: #116329; } tr.loss td { color: #a40e26; }
</style>
</head>
<body>
<h1>${esc(r.strategy.name)}</h1>
<div class="meta">${esc(r.strategy.file)}${r.strategy.variant ? ` · variant ${esc(r.strategy.variant)}` : ''} · compat ${r.strategy.compat} · higher timeframes aligned by ${r.strategy.alignment} · entry ${r.strategy.entryTimeframe} (${r.strategy.timeframes.join(', ')})<br>
data ${isoTime(r.period.dataFrom)} → ${isoTime(r.period.dataTo)} (${r.period.candles} candles) · trading from ${isoTime(r.period.tradingFrom ?? r.period.firstReadyAt)} · first ready bar ${isoTime(r.period.firstReadyAt)}</div>
${r.strategy.alignmentWarning ? `<p class="warn">${esc(r.strategy.alignmentWarning)}</p>` : ''}
<div class="grid">
  <div class="card"><h2>Statistics</h2>${table(stats)}</div>
  <div class="card"><h2>Original's statistics (compat §6.7)</h2>${table(legacyRows)}
    <h2>Warm-up: ${warm.totalMinutes} min of 1m candles (${warm.totalEntryBars} × ${warm.entryTimeframe})</h2>
    <table><tr><th>id</th><th>type</th><th>tf</th><th>bars</th><th>min</th><th></th></tr>${warmRows}</table></div>
</div>
<h2>Price, volume, indicators and trades</h2>
<div class="card"><div id="price-chart"></div><p class="muted small">Scroll or pinch to zoom, drag to pan; ${chart.candles.length} ${chart.baseTimeframe} candles (UTC).</p></div>
<h2>Equity</h2>
<div class="card"><div class="chart small" id="equity-chart"></div></div>
<h2>Drawdown (% from the running peak)</h2>
<div class="card"><div class="chart small" id="drawdown-chart"></div></div>
<h2>Trades (${r.roundTrips.length} round trips)</h2>
<div class="card"><table><tr><th>#</th><th>side</th><th>entry</th><th>entry price</th><th>exit</th><th>exit price</th><th>qty</th><th>net PnL</th><th>fees</th></tr>${tradeRows}</table></div>
<script id="report-data" type="application/json">${scriptJson(data)}</script>
${scripts}
<script>
(function () {
  var d = JSON.parse(document.getElementById('report-data').textContent);
  var SC = window.StrategyChart;
  SC.mount(document.getElementById('price-chart'), { timeframes: d.chart.timeframes, timeframe: d.chart.baseTimeframe, liveMs: 0, page: SC.staticSource(d.chart), label: 'Candles with volume, indicators and a marker for every fill' });
  SC.line(document.getElementById('equity-chart'), d.equity, { color: '#1d2330', title: 'equity' });
  SC.line(document.getElementById('drawdown-chart'), d.drawdown, { color: '#c92a2a', title: 'drawdown', area: true, percent: true });
})();
</script>
</body>
</html>
`;
}
