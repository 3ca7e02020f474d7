import type { ReconcileReportDto } from '@btc-research/contracts';
import { formatProblem } from '@btc-research/engine';
import { loadStrategyHistory, type StrategyStore } from '@btc-research/platform';
import { ApiError } from '../errors.js';
import { ApiErrorCode } from '@btc-research/contracts';
import { reconcileOffThread } from './reconcile-runner.js';

/**
 * The reconciliation report of a strategy's window (docs/reconciliation.md), from the store only:
 * its config, the market log it ran on, its fills and event log. Works for running and stopped
 * strategies. A pruned log is a 409 CONFLICT (from loadStrategyHistory). Computed off the event loop.
 */
export async function reconcileReport(store: StrategyStore, id: string, window: { from?: number | undefined; to?: number | undefined }): Promise<ReconcileReportDto> {
  const h = await loadStrategyHistory(store, id);
  const s = h.state;
  // the event log, when there is one, is compared event by event; else the fills
  const paperHistory =
    h.events.length === 0
      ? undefined
      : {
          events: h.events,
          eventSeqBefore: h.eventBase,
          forcedExitsAfter: h.forcedExitsAfter,
          balances: s === null ? null : { cash: s.cash, quantity: s.positionQty, avgEntryPrice: s.avgEntryPrice, realizedPnl: s.realizedPnl, feesPaid: s.feesPaid },
        };
  const result = await reconcileOffThread({
    strategyId: id,
    configYaml: h.record.configYaml,
    configName: h.record.configName,
    initialCash: h.record.initialCash,
    tradingStartTime: h.tradingStartTime,
    idPrefix: h.idPrefix,
    ...(h.execution ? { execution: h.execution } : {}),
    // the warm-up history fed before the log, as paper trading did
    log: [...h.warmup, ...h.log],
    paperFills: h.fills,
    paperHistory,
    window,
  });
  if (!result.ok && result.kind === 'window') throw new ApiError(400, ApiErrorCode.validationFailed, result.message, { window });
  if (!result.ok) throw new ApiError(422, ApiErrorCode.configInvalid, `strategy "${id}": its stored config no longer compiles: ${result.errors.map(formatProblem).join('; ')}`);
  return result.report;
}
