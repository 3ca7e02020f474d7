import { ReconcileReportDto } from '@btc-research/contracts';
import { formatProblem, reconcileStrategy, type ReconcileReport, type RoundTripView } from '@btc-research/engine';
import { loadStrategyHistory, type StrategyHistory } from '@btc-research/platform';
import type { CliIo } from '../cli-io.js';
import { CommandFailure, iso, parseCommandArgs, runCommand, windowOptions } from '../common.js';
import { openStoreFromEnv } from './store-from-env.js';

export const RECONCILE_USAGE = 'usage: btc-research reconcile <strategyId> [--from DATE] [--to DATE] [--json]   (the store DATA_DIR or DATABASE_URL selects)\n';

/**
 * `btc-research reconcile <strategyId>`: the reconciliation report of a paper strategy's window
 * (docs/reconciliation.md), read from the store: paper vs the replay of its recorded log, vs a
 * candle-only backtest (round trips side by side, the PnL gap by cause), and the fill-model bands.
 * --json prints the API's ReconcileReport. Exit 0 done, 1 unknown strategy or no replayable log, 2 usage.
 */
export async function runReconcileCommand(argv: string[], io: CliIo): Promise<number> {
  return runCommand(io, () => reconcile(argv, io));
}

async function reconcile(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(argv, { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean', default: false } }, RECONCILE_USAGE);
  const id = args.positionals[0];
  if (id === undefined || args.positionals.length > 1) throw new CommandFailure(2, RECONCILE_USAGE);
  const window = windowOptions(args.values);
  let history: StrategyHistory;
  const { store } = await openStoreFromEnv(io.env ?? process.env, io.cwd).catch((err: unknown) => {
    throw new CommandFailure(1, `reconcile: cannot open the store: ${(err as Error).message}`);
  });
  try {
    history = await loadStrategyHistory(store, id);
  } catch (err) {
    throw new CommandFailure(1, `reconcile: ${(err as Error).message}`);
  } finally {
    await store.close();
  }
  const s = history.state;
  // the event log, when there is one, is compared event by event; else the fills
  const paperHistory =
    history.events.length === 0
      ? undefined
      : {
          events: history.events,
          eventSeqBefore: history.eventBase,
          forcedExitsAfter: history.forcedExitsAfter,
          balances: s === null ? null : { cash: s.cash, quantity: s.positionQty, avgEntryPrice: s.avgEntryPrice, realizedPnl: s.realizedPnl, feesPaid: s.feesPaid },
        };
  const result = reconcileStrategy({
    strategyId: id,
    configYaml: history.record.configYaml,
    configName: history.record.configName,
    initialCash: history.record.initialCash,
    tradingStartTime: history.tradingStartTime,
    idPrefix: history.idPrefix,
    ...(history.execution ? { execution: history.execution } : {}),
    log: [...history.warmup, ...history.log],
    paperFills: history.fills,
    paperHistory,
    window,
  });
  if (!result.ok && result.kind === 'window') throw new CommandFailure(1, `reconcile: ${result.message}`);
  if (!result.ok) throw new CommandFailure(1, `reconcile: the stored config of "${id}" no longer compiles:\n${result.errors.map(formatProblem).join('\n')}`);
  if (args.values.json) io.stdout.write(`${JSON.stringify(ReconcileReportDto.parse(result.report))}\n`);
  else io.stdout.write(formatReport(result.report));
  return 0;
}

const money = (x: string) => Number(x).toFixed(2);

function tripLine(label: string, t: RoundTripView | null): string {
  if (t === null) return `    ${label.padEnd(8)} —\n`;
  return `    ${label.padEnd(8)} ${t.side.padEnd(5)} ${iso(t.entryTime)} @ ${t.entryPrice} → ${iso(t.exitTime)} @ ${t.exitPrice}  qty ${t.quantity}  fees ${money(t.fees)}  cost ${money(t.executionCost)}  net ${money(t.netPnl)}\n`;
}

export function formatReport(r: ReconcileReport): string {
  const out: string[] = [];
  out.push(`reconciliation of ${r.strategyId}: ${iso(r.window.from)} → ${iso(r.window.to)}  (${r.inputs.candles} candles, ${r.inputs.books} books, ${r.inputs.trades} trades; ${r.inputs.paperFills} paper fills)\n\n`);
  const d = r.replay.firstDifference;
  out.push(`(a) replay of the recorded log: ${r.replay.identical ? 'identical' : 'DIFFERENT'} (${r.replay.compared} ${r.replay.basis} compared)\n`);
  if (d) out.push(`    first difference at ${iso(d.at)}: ${d.kind} ${d.field}: paper ${String(d.paper)}, replay ${String(d.replay)}\n`);
  const b = r.candleBacktest;
  out.push(`\n(b) candle-only backtest: PnL paper ${money(b.pnl.paper)}, backtest ${money(b.pnl.backtest)}, gap ${money(b.pnl.gap)}\n`);
  const a = b.attribution;
  for (const [name, v] of [['latency', a.latency], ['spread', a.spread], ['slippage', a.slippage], ['book depth', a.bookDepth], ['candle path', a.candlePath], ['unexplained', a.unexplained]] as const) out.push(`    ${name.padEnd(12)} ${money(v).padStart(12)}\n`);
  out.push(`    round trips: ${b.pairing.paired.length} paired, ${b.pairing.missed.length} missed by paper, ${b.pairing.extra.length} extra in paper\n`);
  for (const p of b.pairing.paired) out.push(tripLine('paper', p.paper), tripLine('backtest', p.backtest), `    ${''.padEnd(8)} difference ${money(p.pnlDiff)}\n`);
  for (const m of b.pairing.missed) out.push(tripLine('missed', m));
  for (const x of b.pairing.extra) out.push(tripLine('extra', x));
  out.push(`\n(c) fill-model bands (candles only): paper ${money(r.bands.paper.finalPnl)}\n`);
  for (const m of r.bands.models) out.push(`    ${m.name.padEnd(12)} ${money(m.finalPnl).padStart(12)}   spread ${m.spread}, slippage ${m.slippage}, latency ${m.latencyMs.min}-${m.latencyMs.max} ms\n`);
  return out.join('');
}
