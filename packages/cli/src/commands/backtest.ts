import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildTradingSetup, formatProblem, KlineCsvError, parseKlineCsv, runBacktest, toDecimalString, type Candle } from '@btc-research/engine';
import type { CliIo } from '../cli.js';

function parseDate(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(/T/.test(value) ? value : `${value}T00:00:00Z`);
  if (!Number.isFinite(ms)) throw new Error(`--${name} "${value}" is not a date (YYYY-MM-DD, ISO time or epoch ms)`);
  return ms;
}

/** `btc-research backtest <config.yaml> --data <klines.csv>`: the same TradingCore as paper trading. */
export async function runBacktestCommand(argv: string[], io: CliIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        data: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean', default: false },
        compat: { type: 'string' },
        variant: { type: 'string' },
        id: { type: 'string', default: 'backtest' },
      },
    });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const configFile = args.positionals[0];
  if (configFile === undefined || args.values.data === undefined) {
    io.stderr.write('usage: btc-research backtest <config.yaml> --data <klines.csv> [--from] [--to] [--json] [--compat legacy] [--variant NAME]\n');
    return 2;
  }
  const compat = args.values.compat;
  if (compat !== undefined && compat !== 'legacy' && compat !== 'default') {
    io.stderr.write(`--compat must be "legacy" or "default", got "${compat}"\n`);
    return 2;
  }
  let from: number | undefined;
  let to: number | undefined;
  try {
    from = parseDate(args.values.from, 'from');
    to = parseDate(args.values.to, 'to');
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  const yaml = await fs.readFile(path.resolve(io.cwd, configFile), 'utf8');
  const setup = buildTradingSetup(yaml, configFile, {
    strategyId: args.values.id ?? 'backtest',
    ...(compat ? { compat } : {}),
    ...(args.values.variant ? { variant: args.values.variant } : {}),
  });
  if (!setup.ok) {
    for (const p of setup.errors) io.stderr.write(`${formatProblem(p)}\n`);
    return 1;
  }
  let candles: Candle[];
  try {
    candles = parseKlineCsv(await fs.readFile(path.resolve(io.cwd, args.values.data), 'utf8'));
  } catch (err) {
    io.stderr.write(`${args.values.data}: ${err instanceof KlineCsvError ? err.message : (err as Error).message}\n`);
    return 1;
  }
  const selected = candles.filter((c) => (from === undefined || c.openTime >= from) && (to === undefined || c.closeTime <= to));
  const started = performance.now();
  const result = runBacktest(setup.strategy, selected, setup.coreOptions);
  const elapsedMs = performance.now() - started;
  const s = result.statistics;
  const trades = result.trades.map((t) => ({
    tradeId: t.tradeId,
    time: t.time,
    side: t.side,
    quantity: toDecimalString(t.quantity),
    price: toDecimalString(t.price),
    fee: toDecimalString(t.fee),
    realizedPnl: toDecimalString(t.realizedPnl),
    reason: t.reason,
  }));
  if (args.values.json) {
    io.stdout.write(`${JSON.stringify({ strategy: setup.strategy.name, candles: result.candlesProcessed, statistics: s, trades, ledger: result.core.summary().ledger, equityCurve: result.equityCurve }, null, 2)}\n`);
    return 0;
  }
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  const lines = [
    `strategy        ${setup.strategy.name} (compat ${setup.strategy.compat})`,
    `candles         ${result.candlesProcessed} × 1m in ${elapsedMs.toFixed(0)} ms`,
    `period          ${selected.length > 0 ? `${new Date(selected[0]!.openTime).toISOString()} → ${new Date(selected[selected.length - 1]!.closeTime).toISOString()}` : 'no candles'}`,
    `trades          ${result.trades.length} fills, ${s.closedTrades} round trips, ${result.rejections.length} rejected orders`,
    `final equity    ${s.finalEquity.toFixed(2)} (start ${s.initialEquity.toFixed(2)})`,
    `total return    ${pct(s.totalReturn)}`,
    `CAGR            ${pct(s.cagr)}`,
    `Sharpe          ${s.sharpe.toFixed(3)}`,
    `Sortino         ${s.sortino.toFixed(3)}`,
    `Calmar          ${s.calmar.toFixed(3)}`,
    `max drawdown    ${pct(s.maxDrawdown)} over ${(s.maxDrawdownDurationMs / 3_600_000).toFixed(1)} h`,
    `profit factor   ${Number.isFinite(s.profitFactor) ? s.profitFactor.toFixed(3) : 'no losses'}`,
    `win rate        ${pct(s.winRate)}`,
    `expectancy      ${s.expectancy.toFixed(2)} per round trip`,
    `exposure        ${pct(s.exposure)}`,
    `fees            ${s.feesPaid.toFixed(2)}`,
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
