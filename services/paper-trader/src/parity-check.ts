import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ParityReplay, type IndicatorCheckpoint, type PaperBalances, type PaperEvent, type StateImage } from '@btc-research/engine';
import type { ParityCheckRecord, StrategyRecord, StrategyState, StrategyStore } from '@btc-research/platform';
import { LOG_PAGE_SIZE } from './market-log-tail.js';
import { StrategyRunner, type RunnerExecution } from './strategy-runner.js';
import { loadWarmupInputs } from './warmup-history.js';

export interface ParityCheckOptions {
  store: StrategyStore;
  execution: RunnerExecution | undefined;
  /** relative tolerance for indicator values */
  indicatorTolerance: number;
  /** inputs replayed between two yields to the event loop, so trading is never held up for long */
  chunkSize: number;
  now: () => number;
  worker: string;
  /** true once the service closes: a check under way stops at its next chunk (ParityCheckUnavailableError) */
  isStopped?: () => boolean;
}

/**
 * Where a passing check's replay ended: its whole core, which matched paper trading up to there.
 * The next check of the same run may start from it instead of the log's start (window.start
 * `checkpoint`): trust carries over from check to check, and a check replays only what is new.
 */
export interface VerifiedCheckpoint {
  /** the run it belongs to (config, start, run number, event base): another run starts over */
  runKey: string;
  marketSeq: number;
  eventSeq: number;
  /** market time of the input at marketSeq (null: none yet) */
  inputTime: number | null;
  image: StateImage;
}

export interface ParityCheckOutcome {
  check: ParityCheckRecord;
  /** set when the check passed: where the next one may start */
  checkpoint: VerifiedCheckpoint | null;
}

/** Why a strategy could not be checked (nothing was compared, so there is no verdict). */
export class ParityCheckUnavailableError extends Error {
  override readonly name = 'ParityCheckUnavailableError';
  readonly code = 'PARITY_CHECK_UNAVAILABLE';
}

/** What the stored state says about the run being checked. */
interface RunProgress {
  /** execution settings the run was built with, as its state keeps them (absent in older states: this worker's) */
  execution?: RunnerExecution | null;
  tradingStartTime: number;
  /** market-log seqs after which the strategy was force-exited (its state records them) */
  forcedExitsAfter: number[];
  run: number;
  eventBase: number;
  marketSeq: number;
  eventSeq: number;
}

const EVENT_PAGE = 10_000;

/**
 * One parity check of a strategy, away from the trading path: what paper trading recorded (its
 * state's progress and balances, its event log of this run, its snapshot's indicators) against a
 * fresh core, built the way the paper trader built it, that replays the symbol's market log from
 * its start up to the input paper trading had processed. Reads the store only, so any worker can
 * run it; yields to the event loop every `chunkSize` inputs. The state is read first: everything it
 * counts (events, inputs) was stored before it, so a strategy trading on meanwhile does not matter.
 */
export async function runParityCheck(
  record: StrategyRecord,
  checkId: string,
  trigger: ParityCheckRecord['trigger'],
  options: ParityCheckOptions,
  previous: VerifiedCheckpoint | null = null,
): Promise<ParityCheckOutcome> {
  const { store } = options;
  const started = options.now();
  const state = await store.loadState(record.id);
  const progress = progressOf(state);
  if (state === null || progress === null) throw new ParityCheckUnavailableError(`strategy ${record.id} has no stored progress to check yet`);
  // built as the paper trader built it: with the execution settings its state records (another worker's may differ)
  const execution = progress.execution !== undefined ? (progress.execution ?? undefined) : options.execution;
  // the same inputs as paper trading: its warm-up history (older candles than the log) first
  const warmup = await loadWarmupInputs(store, record);
  const runKey = JSON.stringify([record.configYaml, record.initialCash, progress.tradingStartTime, progress.run, progress.eventBase, execution ?? null, warmup.key]);
  const first = (await store.listMarketEvents(record.symbol, 0, 1))[0];
  const logStart = first === undefined ? 1 : first.seq;
  // a checkpoint of this run that the log (and paper trading) has not passed behind
  const from = previous !== null && previous.runKey === runKey && previous.marketSeq <= progress.marketSeq && previous.eventSeq <= progress.eventSeq && previous.marketSeq + 1 >= logStart ? previous : null;
  if (from === null && progress.marketSeq > 0 && logStart > 1) {
    throw new ParityCheckUnavailableError(`the market log of ${record.symbol} before seq ${logStart} was pruned; strategy ${record.id} cannot be replayed from its start`);
  }
  const build = () => {
    const built = StrategyRunner.create(record, progress.tradingStartTime, execution, { run: progress.run, eventBase: progress.eventBase }, warmup);
    if (!built.ok) throw new ParityCheckUnavailableError(`strategy ${record.id}: its config does not compile (${built.errors.length} problems)`);
    return built.runner;
  };
  const core = build().core;
  if (from) core.restoreImage(from.image);
  const eventSeqBefore = from?.eventSeq ?? progress.eventBase;
  const replay = new ParityReplay(
    core,
    { events: await paperEvents(store, record.id, eventSeqBefore, progress.eventSeq), balances: balancesOf(state), indicators: await indicatorCheckpoints(store, record.id, progress, build) },
    { indicatorTolerance: options.indicatorTolerance, eventSeqBefore, forcedExitsAfter: progress.forcedExitsAfter, ...(from && from.inputTime !== null ? { inputBefore: { seq: from.marketSeq, time: from.inputTime } } : {}) },
  );
  let after = from?.marketSeq ?? 0;
  while (!replay.diverged && after < progress.marketSeq) {
    const page = (await store.listMarketEvents(record.symbol, after, LOG_PAGE_SIZE)).filter((e) => e.seq <= progress.marketSeq);
    if (page.length === 0) break;
    for (let i = 0; i < page.length && !replay.diverged; i += options.chunkSize) {
      replay.feed(page.slice(i, i + options.chunkSize));
      await yieldToEventLoop();
      if (options.isStopped?.() === true) throw new ParityCheckUnavailableError(`check of ${record.id} stopped: the service closes`);
    }
    after = page[page.length - 1]!.seq;
  }
  const result = replay.finish();
  const checkedAt = options.now();
  // a force exit replayed at the very end is not in the log's order yet: the next check starts over rather than apply it twice
  const checkpoint = result.verdict === 'pass' && !replay.endedWithForcedExit ? { runKey, marketSeq: progress.marketSeq, eventSeq: progress.eventSeq, inputTime: result.window.to ?? from?.inputTime ?? null, image: core.stateImage() } : null;
  const check: ParityCheckRecord = {
    strategyId: record.id,
    checkId,
    checkedAt,
    trigger,
    verdict: result.verdict,
    window: { ...result.window, start: from ? 'checkpoint' : 'log-start' },
    ...(result.firstDivergence ? { firstDivergence: result.firstDivergence } : {}),
    compared: result.compared,
    maxIndicatorDeviation: result.maxIndicatorDeviation,
    indicatorTolerance: result.indicatorTolerance,
    durationMs: Math.max(0, checkedAt - started),
    worker: options.worker,
  };
  return { check, checkpoint };
}

function progressOf(state: StrategyState | null): RunProgress | null {
  const core = state?.core as Partial<RunProgress> | undefined;
  if (!core || typeof core !== 'object' || typeof core.tradingStartTime !== 'number') return null;
  const eventBase = core.eventBase ?? 0;
  return {
    ...(core.execution !== undefined ? { execution: core.execution } : {}),
    tradingStartTime: core.tradingStartTime,
    forcedExitsAfter: Array.isArray(core.forcedExitsAfter) ? core.forcedExitsAfter.filter((n): n is number => Number.isSafeInteger(n)) : [],
    run: core.run ?? 1,
    eventBase,
    marketSeq: core.marketSeq ?? 0,
    eventSeq: core.eventSeq ?? eventBase,
  };
}

function balancesOf(state: StrategyState): PaperBalances {
  return { cash: state.cash, quantity: state.positionQty, avgEntryPrice: state.avgEntryPrice, realizedPnl: state.realizedPnl, feesPaid: state.feesPaid };
}

/** The run's event log after `after` up to the last event the state counts. */
async function paperEvents(store: StrategyStore, strategyId: string, from: number, to: number): Promise<PaperEvent[]> {
  const out: PaperEvent[] = [];
  let after = from;
  while (after < to) {
    const page = await store.listEvents(strategyId, after, EVENT_PAGE);
    if (page.length === 0) break;
    for (const e of page) if (e.seq <= to) out.push({ seq: e.seq, type: e.type, time: e.time, data: e.data });
    after = page[page.length - 1]!.seq;
  }
  return out;
}

/**
 * Indicator values paper trading held at its stored snapshot (restored into a core of the same
 * run): compared when the replay passes that input. None when the snapshot is missing, corrupt, of
 * another run or ahead of the state.
 */
async function indicatorCheckpoints(store: StrategyStore, strategyId: string, progress: RunProgress, build: () => StrategyRunner): Promise<IndicatorCheckpoint[]> {
  const snap = await store.loadSnapshot(strategyId);
  if (snap.status !== 'ok' || snap.snapshot.marketSeq === 0 || snap.snapshot.marketSeq > progress.marketSeq) return [];
  const runner = build();
  try {
    if (!runner.restoreFrom(snap.snapshot)) return [];
  } catch {
    return [];
  }
  return [{ seq: snap.snapshot.marketSeq, values: runner.core.logic.columns() }];
}
