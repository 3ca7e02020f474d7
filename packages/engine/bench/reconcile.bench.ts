/**
 * Reconciliation figures for `pnpm bench` (the "reconcile" part): how long the report of one day of a
 * paper strategy takes (nine replays of the recorded trades, books and candles, and the bands), and
 * the inputs per second that makes. The API computes the report on request, so this is its latency.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildTradingSetup, encodeRecordedInput, reconcileStrategy, toDecimalString, TradingCore } from '../src/index.js';
import { simulatedMarketInputs } from '../src/market/testing/simulated-market-inputs.js';

export async function runReconcileBench(): Promise<Record<string, unknown>> {
  const demo = fs.readFileSync(path.resolve(import.meta.dirname, '..', '..', '..', 'config', 'demo-ema-cross.yaml'), 'utf8');
  const yaml = `${demo}\nrisk_management:\n  stop_loss: { percent: 0.004 }\n  take_profit: { percent: 0.008 }\n`;
  const market = simulatedMarketInputs(1440, 77);
  const setup = buildTradingSetup(yaml, 'bench.yaml', { strategyId: 'bench', tradingStartTime: 0 });
  if (!setup.ok) throw new Error('bench config');
  const core = new TradingCore(setup.strategy, setup.coreOptions);
  const paperFills = market.flatMap((x) => core.onInput(x)).flatMap((e) =>
    e.type === 'trade' ? [{ tradeId: e.trade.tradeId, orderId: e.trade.orderId, side: e.trade.side, quantity: toDecimalString(e.trade.quantity), price: toDecimalString(e.trade.price), fee: toDecimalString(e.trade.fee), time: e.trade.time, reason: e.trade.reason, quality: e.trade.quality }] : [],
  );
  const log = market.map((x, i) => ({ seq: i + 1, ...encodeRecordedInput(x) }));
  const runs: number[] = [];
  let fills = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = reconcileStrategy({ strategyId: 'bench', configYaml: yaml, configName: 'bench.yaml', initialCash: '10000', tradingStartTime: 0, log, paperFills });
    runs.push(performance.now() - t0);
    if (!r.ok || !r.report.replay.identical) throw new Error('bench reconciliation failed');
    fills = r.report.inputs.paperFills;
  }
  const bestMs = Math.min(...runs);
  const result = { inputs: market.length, paperFills: fills, runsMs: runs.map((x) => Math.round(x)), bestMs: Math.round(bestMs), inputsPerSecond: Math.round(market.length / (bestMs / 1000)) };
  console.log(`reconcile one simulated day (${market.length.toLocaleString('en-US')} recorded inputs, ${fills} fills): ${result.bestMs} ms (${result.inputsPerSecond.toLocaleString('en-US')} inputs/s over the ten passes)`);
  return result;
}
