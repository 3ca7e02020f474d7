import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);
const publicDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'public');
const chartJsDir = dirname(require.resolve('chart.js'));
const lightweightChartsDir = join(dirname(require.resolve('lightweight-charts/package.json')), 'dist');
/** the strategy chart script the dashboard shares with the HTML backtest report (a browser asset, not a module) */
const strategyChartFile = require.resolve('@btc-research/charts/strategy-chart.js');

/** The only files /assets/ serves: the dashboard's own scripts and styles, the two chart libraries (chart.js draws the daily profit bars; lightweight-charts the time series) and the shared strategy chart. */
const ASSETS = new Set(['app.css', 'favicon.svg', 'preferences.js', 'live.js', 'overview.js', 'strategy.js', 'start.js', 'market.js', 'confirm.js', 'daily-profit-chart.js', 'chart.umd.min.js']);
const LIGHTWEIGHT_CHARTS = 'lightweight-charts.standalone.production.js';

function isAsset(pathName: string, root: string | undefined): boolean {
  const name = pathName.replace(/^\//, '');
  if (root === lightweightChartsDir) return name === LIGHTWEIGHT_CHARTS;
  if (root === dirname(strategyChartFile)) return name === basename(strategyChartFile);
  return ASSETS.has(name);
}

/**
 * Serves every script and stylesheet from this server (no CDN), so pages work offline and under
 * `script-src 'self'`: public/ and chart.js's UMD build under /assets/, lightweight-charts'
 * standalone build as /assets/lightweight-charts.js.
 */
export async function registerStaticAssets(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, {
    root: [publicDir, chartJsDir],
    prefix: '/assets/',
    maxAge: 300_000,
    allowedPath: isAsset,
  });
  app.get('/assets/lightweight-charts.js', (_request, reply) => reply.sendFile(LIGHTWEIGHT_CHARTS, lightweightChartsDir, { maxAge: 300_000 }));
  app.get('/assets/strategy-chart.js', (_request, reply) => reply.sendFile(basename(strategyChartFile), dirname(strategyChartFile), { maxAge: 300_000 }));
  app.get('/favicon.ico', (_request, reply) => reply.redirect('/assets/favicon.svg', 301));
}
