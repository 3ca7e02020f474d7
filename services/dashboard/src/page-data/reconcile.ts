import type { ReconcileReportDto } from '@btc-research/contracts';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { endpoints } from '../api/endpoints.js';
import { candleExtent, drawCandles, drawLines, gapBars, scaleOf, tradeMarkers, type LineSeries } from './reconcile-charts.js';
import { notesOf, readSection } from './section.js';

/** `from` / `to` as the API takes them (epoch ms, YYYY-MM-DD or ISO); anything else is left out. */
const WINDOW_BOUND = /^(\d{1,15}|\d{4}-\d{2}-\d{2}(T[0-9:.]+Z?)?)$/;

export function windowParam(value: string | undefined): string | undefined {
  return value !== undefined && WINDOW_BOUND.test(value) ? value : undefined;
}

/** The reconciliation page: the API's report of a window, with its charts drawn server-side as SVG. */
export async function loadReconcilePage(api: ApiClient, id: string, window: { from?: string | undefined; to?: string | undefined }, auth?: ApiAuth) {
  const section = await readSection('reconciliation report', api.read(endpoints.reconcile(id, window), auth));
  const report: ReconcileReportDto | null = section.value;
  return { id, window, report, charts: report === null ? null : chartsOf(report), ...notesOf([section]) };
}

function chartsOf(report: ReconcileReportDto) {
  const bandSeries: LineSeries[] = [
    { name: 'paper', cls: 'line-paper', points: report.bands.paper.equity },
    ...report.bands.models.map((m) => ({ name: m.name, cls: `line-${m.name}`, points: m.equity })),
  ].filter((s) => s.points.length > 0);
  const bandScale = bandSeries.length > 0 ? scaleOf(bandSeries) : null;
  const priceScale = report.candles.length > 0 ? scaleOf([candleExtent(report.candles)]) : null;
  return {
    bands: bandScale === null ? null : { scale: bandScale, lines: drawLines(bandSeries, bandScale) },
    prices: priceScale === null ? null : { scale: priceScale, candles: drawCandles(report.candles, priceScale), markers: tradeMarkers(report, priceScale) },
    gap: gapBars(report.candleBacktest.attribution),
  };
}

export type ReconcilePageData = Awaited<ReturnType<typeof loadReconcilePage>>;
