/**
 * `pnpm bench`: speed and memory figures. Prints each figure and writes reports/bench-*.json plus
 * reports/bench-summary.json. Targets are reported next to the figures; nothing here is a test.
 * Parts owned by a service live beside it (services/x/bench) and are run from here.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EMA_RSI_ADX_BENCH_STRATEGY } from '../packages/engine/bench/bench-strategy.js';
import { buildTradingSetup, MarketSimulator, MinuteCandleBuilder, runBacktest, type Candle } from '@btc-research/engine';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reportsDir = path.join(root, 'reports');

const BACKTEST_STRATEGY = EMA_RSI_ADX_BENCH_STRATEGY;

function generateCandles(count: number, seed: number): Candle[] {
  const start = Date.UTC(2024, 0, 1);
  const sim = new MarketSimulator({ seed, startTime: start, tradesPerMinute: 6 });
  const builder = new MinuteCandleBuilder();
  const out: Candle[] = [];
  sim.advanceTo(start + count * 60_000 + 60_000, (t) => {
    for (const c of builder.addTrade(t)) out.push(c);
  });
  return out.slice(0, count);
}

async function engineBacktestBench(): Promise<Record<string, unknown>> {
  const candles = generateCandles(525_600, 11); // one year of 1m candles
  const setup = buildTradingSetup(BACKTEST_STRATEGY, 'bench.yaml', { strategyId: 'bench' });
  if (!setup.ok) throw new Error(setup.errors.map((e) => e.message).join('; '));
  // warm the JIT on a slice, then measure the best of three full runs
  runBacktest(setup.strategy, candles.slice(0, 50_000), setup.coreOptions);
  const runs: number[] = [];
  let trades = 0;
  for (let i = 0; i < 3; i++) {
    const fresh = buildTradingSetup(BACKTEST_STRATEGY, 'bench.yaml', { strategyId: 'bench' });
    if (!fresh.ok) throw new Error('setup failed');
    const t0 = performance.now();
    const r = runBacktest(fresh.strategy, candles, fresh.coreOptions);
    runs.push(performance.now() - t0);
    trades = r.trades.length;
  }
  const bestMs = Math.min(...runs);
  const candlesPerSecond = Math.round(candles.length / (bestMs / 1000));
  const result = { candles: candles.length, trades, runsMs: runs.map((r) => Math.round(r)), candlesPerSecond, target: '>= 1,000,000 candles/s on one core', met: candlesPerSecond >= 1_000_000 };
  console.log(`engine backtest (EMA+RSI+ADX, ${candles.length} × 1m): ${candlesPerSecond.toLocaleString('en-US')} candles/s (target ≥ 1,000,000) ${result.met ? 'MET' : 'NOT MET'}`);
  return result;
}

/** Optional parts: a bench module beside a service or package, run when it exists. */
const PARTS: Array<{ name: string; file: string; fn: string; onlyWhenNamed?: boolean }> = [
  { name: 'engine-extra', file: 'packages/engine/bench/engine.bench.ts', fn: 'runEngineBench' }, // indicator step vs libraries, buffers, breakdown
  { name: 'reconcile', file: 'packages/engine/bench/reconcile.bench.ts', fn: 'runReconcileBench' }, // the reconciliation report of one day
  { name: 'market-data', file: 'services/stream-manager/bench/market-data.bench.ts', fn: 'runMarketDataBench' },
  // 20 wall minutes of the stream-manager against the local Binance server with heavy faults; only when named
  { name: 'market-data-show', file: 'services/stream-manager/bench/market-data.bench.ts', fn: 'runMarketDataShow', onlyWhenNamed: true },
  { name: 'paper-trader', file: 'services/paper-trader/bench/paper-trader.bench.ts', fn: 'runPaperTraderBench' },
  { name: 'api', file: 'services/api-server/bench/stats.bench.ts', fn: 'runApiBench' },
  { name: 'notifications', file: 'packages/platform/bench/notifications.bench.ts', fn: 'runNotificationsBench' }, // outbox enqueue cost, delivery rate
  { name: 'dashboard', file: 'services/dashboard/bench/overview.bench.ts', fn: 'runDashboardBench' },
  { name: 'embedded', file: 'scripts/bench/embedded.bench.ts', fn: 'runEmbeddedBench' }, // a week of market time through `pnpm start`: memory
];

await fs.mkdir(reportsDir, { recursive: true });
const only = process.argv.slice(2);
const summary: Record<string, unknown> = { startedAt: new Date().toISOString(), node: process.version };
if (only.length === 0 || only.includes('engine')) {
  summary['engine-backtest'] = await engineBacktestBench();
  await fs.writeFile(path.join(reportsDir, 'bench-engine.json'), JSON.stringify(summary['engine-backtest'], null, 2));
}
for (const part of PARTS) {
  if (only.length > 0 ? !only.includes(part.name) : part.onlyWhenNamed === true) continue;
  const file = path.join(root, part.file);
  try {
    await fs.access(file);
  } catch {
    console.log(`${part.name}: no bench module at ${part.file}`);
    continue;
  }
  const mod = (await import(pathToFileURL(file).href)) as Record<string, () => Promise<unknown>>;
  const fn = mod[part.fn];
  if (typeof fn !== 'function') {
    console.log(`${part.name}: ${part.file} does not export ${part.fn}()`);
    continue;
  }
  try {
    summary[part.name] = await fn();
  } catch (err) {
    summary[part.name] = { error: (err as Error).message };
    console.error(`${part.name}: bench failed: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
await fs.writeFile(path.join(reportsDir, 'bench-summary.json'), JSON.stringify(summary, null, 2));
console.log(`reports written to ${path.relative(root, reportsDir)}/`);
