/**
 * Overview render bench: how long GET / takes with 20 strategies.
 * Run: `tsx services/dashboard/bench/overview.bench.ts` (or via `pnpm bench`, which imports runDashboardBench).
 *
 * Two figures: the full request (dashboard → api-server calls → eta render) and the eta render alone
 * (view model ready), so API latency and template cost can be told apart.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@btc-research/platform';
import { buildDashboardApp } from '../src/app.js';
import { ApiClient } from '../src/api/api-client.js';
import { loadOverview } from '../src/page-data/overview.js';
import { fmt } from '../src/format.js';
import { ViewRenderer } from '../src/plugins/views.js';
import { startSeededApi, type RealApi } from '../../../tests/browser/support/real-api.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..', '..');

export interface DashboardBenchResult {
  name: 'dashboard-overview';
  strategies: number;
  iterations: number;
  api: string;
  request: { meanMs: number; p50Ms: number; p95Ms: number; maxMs: number };
  renderOnly: { meanMs: number; p50Ms: number; p95Ms: number };
  htmlBytes: number;
  apiCallsPerRender: number;
  node: string;
  at: string;
}

function stats(xs: number[]): { meanMs: number; p50Ms: number; p95Ms: number; maxMs: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  const r = (v: number): number => Math.round(v * 1000) / 1000;
  return { meanMs: r(s.reduce((a, b) => a + b, 0) / s.length), p50Ms: r(q(0.5)), p95Ms: r(q(0.95)), maxMs: r(s[s.length - 1]!) };
}

export async function runDashboardBench(options: { strategies?: number; iterations?: number; reportPath?: string; apiUrl?: string } = {}): Promise<DashboardBenchResult> {
  const strategies = options.strategies ?? 20;
  const iterations = options.iterations ?? 200;
  // the real api-server over the in-process bus and a JSON-file store, seeded with `strategies` strategies
  let real: RealApi | null = null;
  let apiUrl = options.apiUrl;
  if (!apiUrl) {
    real = await startSeededApi({ strategies: Array.from({ length: strategies }, (_, i) => ({ id: `bench-${i + 1}`, name: `Bench strategy ${i + 1}`, trades: 12 })) });
    apiUrl = real.url;
  }
  const logger = createLogger('dashboard:bench', { level: 'silent' });
  // no shared read cache: every request goes to the API, the worst case
  const app = await buildDashboardApp({ apiUrl, logger, apiCacheTtlMs: 0 });
  try {
    // warm-up: template compilation, JIT, keep-alive sockets
    let html = '';
    for (let i = 0; i < 20; i++) html = (await app.inject({ method: 'GET', url: '/' })).body;
    const rows = (html.match(/data-strategy-id=/g) ?? []).length;
    if (rows !== strategies) throw new Error(`expected ${strategies} strategy rows, rendered ${rows}`);
    const req: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t0 = performance.now();
      const res = await app.inject({ method: 'GET', url: '/' });
      req.push(performance.now() - t0);
      if (res.statusCode !== 200) throw new Error(`GET / answered ${res.statusCode}`);
    }
    const apiCallsPerRender = 2; // GET /strategies/active (with last trades) + GET /market/feed; the header's Stop menu reuses the list

    const views = new ViewRenderer();
    const data = await loadOverview(new ApiClient({ apiUrl, log: logger }));
    const view = { fmt, path: '/', signedIn: false, usesApiKey: false, live: { ws: true, sse: true, pollMs: 5000 }, stoppable: data.strategies, title: 'Overview', ...data };
    for (let i = 0; i < 50; i++) await views.render('overview', view);
    const render: number[] = [];
    for (let i = 0; i < iterations * 5; i++) {
      const t0 = performance.now();
      await views.render('overview', view);
      render.push(performance.now() - t0);
    }
    const r = stats(render);
    const result: DashboardBenchResult = {
      name: 'dashboard-overview',
      strategies,
      iterations,
      api: real ? 'real api-server, in-process bus, JSON-file store (same process)' : apiUrl,
      request: stats(req),
      renderOnly: { meanMs: r.meanMs, p50Ms: r.p50Ms, p95Ms: r.p95Ms },
      htmlBytes: Buffer.byteLength(html),
      apiCallsPerRender,
      node: process.version,
      at: new Date().toISOString(),
    };
    const reportPath = options.reportPath ?? resolve(repoRoot, 'reports', 'bench-dashboard.json');
    mkdirSync(dirname(reportPath), { recursive: true });
    writeFileSync(reportPath, JSON.stringify(result, null, 2) + '\n');
    console.log(
      `dashboard overview, ${strategies} strategies: GET / p50 ${result.request.p50Ms} ms, p95 ${result.request.p95Ms} ms (${apiCallsPerRender} API calls); ` +
        `eta render alone p50 ${result.renderOnly.p50Ms} ms; ${result.htmlBytes} bytes → ${reportPath}`,
    );
    return result;
  } finally {
    await app.close();
    await real?.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runDashboardBench().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
