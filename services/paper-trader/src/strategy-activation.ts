import { formatProblem } from '@btc-research/engine';
import type { Logger, SnapshotLoad, SnapshotRecord, StrategyRecord, StrategyStore } from '@btc-research/platform';
import type { EffectsWriter } from './effects-writer.js';
import type { LeaseKeeper } from './lease-keeper.js';
import { replayMarketLog } from './market-log-replay.js';
import type { MarketLogTail } from './market-log-tail.js';
import type { OwnedStrategies } from './owned-strategies.js';
import { OwnedStrategy, type LogFollower } from './owned-strategy.js';
import { emptyOutput } from './runner-output.js';
import { SnapshotScheduler } from './snapshot-scheduler.js';
import { StrategyRunner, type RunNumber, type RunnerExecution } from './strategy-runner.js';
import type { StrategyStatuses } from './strategy-status.js';
import { loadWarmupInputs } from './warmup-history.js';

export interface StrategyActivationOptions {
  store: StrategyStore;
  leases: LeaseKeeper;
  owned: OwnedStrategies;
  statuses: StrategyStatuses;
  tail: MarketLogTail;
  writer: EffectsWriter;
  follower: LogFollower;
  logger: Logger;
  now: () => number;
  execution: RunnerExecution | undefined;
  snapshotIntervalMs: number;
  /** spreads the snapshots of strategies activated together (default Math.random) */
  random?: () => number;
  /** how long a strategy still warming up after its activation waits for a warm-up history before a warning (ms) */
  warmupWaitMs: number;
}

/** How an activation treats what is stored. */
export interface ActivationMode {
  /**
   * Rebuild from the inputs alone, as a new start does (a warm-up history just arrived for a
   * strategy still warming up): its snapshot, taken without that history, is not used, and a
   * pruned log's beginning does not stop it (it never traded).
   */
  fresh?: boolean;
}

/** What the stored state says about the run being rebuilt. */
interface RunState extends RunNumber {
  forcedExitsAfter: readonly number[];
  tradingStartTime: number;
  /** it processed market inputs before, so a replay must start at the log's beginning */
  hasProcessedInputs: boolean;
  /** it never got ready nor traded: a replay of what the log still holds reproduces its account (initial cash) */
  isUntouched: boolean;
}

type BuildRunner = () => ReturnType<typeof StrategyRunner.create>;

/**
 * Takes a strategy over: its lease, a runner built from its stored config, restored from its
 * snapshot's image or rebuilt by replaying the market log, then registered and following the log.
 * The stored snapshot is checked on the way: a corrupt one is reported and replaced, one that
 * disagrees with the replay is reported (the log wins).
 */
export class StrategyActivation {
  constructor(private readonly options: StrategyActivationOptions) {}

  /** True when this worker runs the strategy now. */
  async activate(record: StrategyRecord, mode: ActivationMode = {}): Promise<boolean> {
    const { owned, leases, store, logger } = this.options;
    if (owned.has(record.id)) return true;
    if (!(await leases.acquireStrategy(record.id))) return false;
    const runState = await this.loadRunState(record);
    const warmup = await loadWarmupInputs(store, record);
    const build: BuildRunner = () => StrategyRunner.create(record, runState.tradingStartTime, this.options.execution, { run: runState.run, eventBase: runState.eventBase, forcedExitsAfter: runState.forcedExitsAfter }, warmup);
    const built = build();
    if (!built.ok) {
      logger.error({ strategyId: record.id, errors: built.errors }, 'strategy config is invalid');
      return this.refuse(record, built.errors.map(formatProblem).join('; '));
    }
    // e.g. compat: legacy rules naming columns that do not exist (one warning per name)
    if (built.warnings.length > 0) logger.warn({ strategyId: record.id, warnings: built.warnings.map(formatProblem) }, 'strategy config has warnings');
    const snap: SnapshotLoad = mode.fresh === true ? { status: 'missing' } : await store.loadSnapshot(record.id);
    if (snap.status === 'corrupt') logger.warn({ strategyId: record.id, reason: snap.reason }, 'snapshot is corrupt; rebuilding from the market log');
    const { runner, resumedAt } = await this.resume(record, built.runner, snap, build);
    // (a strategy still warming up is rebuilt from what is left, e.g. after a crash between storing its warm-up history and its rebuild)
    if (resumedAt === null && runState.hasProcessedInputs && !runState.isUntouched && mode.fresh !== true && (await this.refuseIfLogPruned(record))) return false;
    const replayed = await this.replay(record, runner, resumedAt === null && snap.status === 'ok' ? snap.snapshot : null);
    if (replayed === null) return false;
    await this.register(record, runner, { replayed, resumedAt, snapshot: snap.status });
    return true;
  }

  private async loadRunState(record: StrategyRecord): Promise<RunState> {
    const state = await this.options.store.loadState(record.id).catch((err: unknown) => {
      this.options.logger.warn({ err, strategyId: record.id }, 'stored state unreadable; rebuilding from the market log');
      return null;
    });
    const core = (state?.core ?? {}) as { tradingStartTime?: number; run?: number; eventBase?: number; marketSeq?: number; forcedExitsAfter?: unknown; ready?: boolean };
    const forcedExitsAfter = Array.isArray(core.forcedExitsAfter) ? core.forcedExitsAfter.filter((n): n is number => Number.isSafeInteger(n)) : [];
    return { tradingStartTime: core.tradingStartTime ?? record.createdAt, run: core.run ?? 1, eventBase: core.eventBase ?? 0, forcedExitsAfter, hasProcessedInputs: Boolean(core.marketSeq), isUntouched: core.ready !== true && (state?.tradeCount ?? 0) === 0 };
  }

  /**
   * A valid snapshot of this very run restarts the strategy where it was; only the log after it is
   * replayed. Otherwise (none, corrupt, another run or config, an image that does not fit) the whole
   * log is replayed (resumedAt null).
   */
  private async resume(record: StrategyRecord, runner: StrategyRunner, snap: SnapshotLoad, build: BuildRunner): Promise<{ runner: StrategyRunner; resumedAt: number | null }> {
    if (snap.status !== 'ok') return { runner, resumedAt: null };
    const { store, logger } = this.options;
    const logEnd = (await store.lastMarketEvents(record.symbol, 1))[0]?.seq ?? 0;
    const logStart = (await store.listMarketEvents(record.symbol, 0, 1))[0]?.seq ?? 1;
    // the log after the snapshot must be complete (retention never cuts past a live strategy's snapshot)
    const covered = snap.snapshot.marketSeq <= logEnd && logStart <= snap.snapshot.marketSeq + 1;
    try {
      if (covered && runner.restoreFrom(snap.snapshot)) return { runner, resumedAt: snap.snapshot.marketSeq };
    } catch (err) {
      logger.warn({ err, strategyId: record.id }, 'snapshot image does not fit this strategy; rebuilding from the market log');
      const again = build();
      if (!again.ok) throw new Error('a config that compiled once no longer compiles', { cause: err });
      return { runner: again.runner, resumedAt: null };
    }
    return { runner, resumedAt: null };
  }

  /**
   * A strategy that traded before and needs a full replay cannot be rebuilt once the log's
   * beginning was pruned: a replay from what is left would not reproduce its account, so it stops
   * with the reason. True when it was refused.
   */
  private async refuseIfLogPruned(record: StrategyRecord): Promise<boolean> {
    const first = (await this.options.store.listMarketEvents(record.symbol, 0, 1))[0];
    if (!first || first.seq <= 1) return false;
    this.options.logger.error({ strategyId: record.id, firstSeq: first.seq }, 'strategy cannot be rebuilt: its snapshot cannot be used and the market log was pruned');
    await this.refuse(record, `cannot be rebuilt: its snapshot cannot be used and the market log before seq ${first.seq} was pruned (retention); start it again as a new run`);
    return true;
  }

  /**
   * Replays the log after the runner's position, writing each page's effects (idempotent: what was
   * persisted before a crash is not doubled). `check`, a snapshot the replay passes, is compared
   * with the replay there. Returns how many inputs were replayed, null when the strategy failed.
   */
  private async replay(record: StrategyRecord, runner: StrategyRunner, check: SnapshotRecord | null): Promise<number | null> {
    const { store, tail, writer, logger } = this.options;
    let replayed: number;
    try {
      replayed = await replayMarketLog({
        store,
        runner,
        onInput: (e) => {
          if (check && e.seq === check.marketSeq && !runner.agreesWith(check)) logger.error({ strategyId: record.id, marketSeq: check.marketSeq }, 'snapshot disagrees with the replayed market log; the log wins');
        },
        onPage: async (page, out) => {
          tail.note(record.symbol, page[page.length - 1]!);
          await writer.write(record.id, runner.effectsOf(out));
        },
      });
    } catch (err) {
      logger.error({ err, strategyId: record.id }, 'strategy failed while replaying history');
      await this.refuse(record, (err as Error).message);
      return null;
    }
    if (replayed === 0) await writer.write(record.id, runner.effectsOf(emptyOutput()));
    return replayed;
  }

  /** Registers the rebuilt strategy, snapshots it, reports its status and starts it following the log. */
  private async register(record: StrategyRecord, runner: StrategyRunner, report: { replayed: number; resumedAt: number | null; snapshot: SnapshotLoad['status'] }): Promise<void> {
    const { store, now, snapshotIntervalMs, owned, statuses, logger } = this.options;
    const strategy = new OwnedStrategy(runner, new SnapshotScheduler(runner, { store, now, intervalMs: snapshotIntervalMs }), this.options.follower);
    strategy.activatedAt = now();
    owned.add(strategy);
    await strategy.snapshots.saveNow();
    strategy.snapshots.spread(this.options.random);
    await statuses.set(record, runner.core.logic.isReady() ? 'running' : 'warming-up', null);
    logger.info({ strategyId: record.id, ...report, trades: runner.core.summary().tradeCount, warmupMinutes: runner.core.logic.warmupMinutes, warmupHistoryCandles: runner.warmupCandles }, 'strategy active');
    void strategy.pump.wake();
    if (!runner.core.logic.isReady()) this.warnIfStillWarmingUp(strategy);
  }

  /** Still warming up once the wait for a warm-up history is over: it warms up on live candles (logged once). */
  private warnIfStillWarmingUp(strategy: OwnedStrategy): void {
    const { owned, logger, warmupWaitMs } = this.options;
    setTimeout(() => {
      if (owned.get(strategy.id) !== strategy || strategy.runner.core.logic.isReady()) return;
      logger.warn({ strategyId: strategy.id, symbol: strategy.symbol, waitedMs: warmupWaitMs, warmupMinutes: strategy.runner.core.logic.warmupMinutes, warmupHistoryCandles: strategy.runner.warmupCandles }, 'no warm-up history made the strategy ready in time: it warms up on live candles');
    }, warmupWaitMs).unref();
  }

  /** Puts the strategy in error with the reason and lets its lease go; always false (not activated). */
  private async refuse(record: StrategyRecord, message: string): Promise<false> {
    await this.options.statuses.set(record, 'error', message);
    await this.options.leases.releaseStrategy(record.id);
    return false;
  }
}
