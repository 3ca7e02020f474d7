import { loadStrategyConfig, type ConfigLoadResult } from '@btc-research/engine';
import type { StrategyRecord, StrategyState, StrategyStore } from '@btc-research/platform';
import type { LeaseKeeper } from './lease-keeper.js';
import type { MarketLogTail } from './market-log-tail.js';
import type { OwnedStrategies } from './owned-strategies.js';
import type { StrategyActivation } from './strategy-activation.js';
import type { RunNumber } from './strategy-runner.js';
import { isLive, type StrategyStatuses } from './strategy-status.js';

/** A strategy to start: its config and where its paper trading begins. */
export interface StartRequest {
  id: string;
  configName: string;
  configYaml: string;
  initialCash?: string | undefined;
  /** display name (default: the YAML's name, else configName) */
  name?: string | undefined;
  /** trade from the start of the available market history, or from the log's end */
  from: 'history' | 'now';
}

export interface StrategyLifecycleOptions {
  store: StrategyStore;
  owned: OwnedStrategies;
  leases: LeaseKeeper;
  statuses: StrategyStatuses;
  activation: StrategyActivation;
  tail: MarketLogTail;
  now: () => number;
  /** a strategy's cash when neither the request nor its YAML says */
  defaultInitialCash: string;
}

const FIRST_RUN: RunNumber = { run: 1, eventBase: 0 };
/** Symbol of a strategy whose config cannot be read (it is stored in error, so nothing trades it). */
const FALLBACK_SYMBOL = 'BTCUSDT';

/** Starts and stops strategies: what a start or stop command does, wherever it comes from. */
export class StrategyLifecycle {
  constructor(private readonly options: StrategyLifecycleOptions) {}

  /** Starts a strategy (a new run if it ran before) unless some worker runs it already. */
  async start(request: StartRequest): Promise<void> {
    const { store, tail } = this.options;
    const existing = await store.getStrategy(request.id);
    if (existing && (await this.isRunningSomewhere(existing))) return;
    const t = this.options.now();
    const record = this.startingRecord(request, existing, loadStrategyConfig(request.configYaml, request.configName), t);
    const tradingStartTime = request.from === 'history' ? 0 : (await tail.catchUp(record.symbol)).time || t;
    // a restart is a new run: its order, trade and event ids continue after the previous run's
    const run = existing ? await this.nextRun(request.id) : FIRST_RUN;
    // the state (with where trading starts) first: the record is the commit point of a start, so a
    // crash in between starts again from scratch instead of running without its start time
    await store.saveState(startingState(record, tradingStartTime, run));
    await store.upsertStrategy(record);
    await this.options.activation.activate(record);
  }

  /** Stops a strategy: orders still working are cancelled, the position is kept as it is. With an error it ends in `error`. */
  async stop(strategyId: string, error?: string): Promise<void> {
    const { store, owned, statuses, now } = this.options;
    const record = await store.getStrategy(strategyId);
    if (!record) return;
    await owned.deactivate(strategyId, true);
    const open = await store.listOrders(strategyId, { limit: 10_000, openOnly: true });
    if (open.length > 0) await store.upsertOrders(strategyId, open.map((o) => ({ ...o, status: 'cancelled' as const, updatedAt: Math.max(o.updatedAt, now()) })));
    await statuses.set(record, error === undefined ? 'stopped' : 'error', error ?? null);
  }

  /**
   * Force exit: the runner closes its position before its next market input (through the core's
   * own path, reason `forced`). Only the worker running the strategy can; others ignore the command.
   */
  forceExit(strategyId: string): boolean {
    const strategy = this.options.owned.get(strategyId);
    if (!strategy) return false;
    strategy.runner.requestForceExit();
    void strategy.pump.wake();
    return true;
  }

  private async isRunningSomewhere(record: StrategyRecord): Promise<boolean> {
    return this.options.owned.has(record.id) || (isLive(record.status) && (await this.options.leases.isStrategyHeld(record.id)));
  }

  private startingRecord(request: StartRequest, existing: StrategyRecord | null, loaded: ConfigLoadResult, t: number): StrategyRecord {
    if (existing) return { ...existing, configYaml: request.configYaml, configName: request.configName, status: 'starting', error: null, updatedAt: t };
    const initialCash = request.initialCash ?? (loaded.ok ? String(loaded.config.backtest.cash) : this.options.defaultInitialCash);
    return {
      id: request.id,
      name: request.name ?? (loaded.ok ? (loaded.config.name ?? request.configName) : request.configName),
      configName: request.configName,
      configYaml: request.configYaml,
      symbol: loaded.ok ? loaded.config.marketSymbol : FALLBACK_SYMBOL,
      status: 'starting',
      error: null,
      initialCash,
      createdAt: t,
      updatedAt: t,
    };
  }

  /** The run after the stored one; its event-log seqs continue after the last event stored. */
  private async nextRun(strategyId: string): Promise<RunNumber> {
    const { store } = this.options;
    const prev = ((await store.loadState(strategyId).catch(() => null))?.core ?? {}) as { run?: number; eventSeq?: number; eventBase?: number };
    const stored = prev.eventSeq ?? prev.eventBase ?? 0;
    const lastEvents = await store.listEvents(strategyId, stored, 1_000_000);
    const lastSeq = lastEvents.length > 0 ? lastEvents[lastEvents.length - 1]!.seq : stored;
    return { run: (prev.run ?? 1) + 1, eventBase: lastSeq };
  }
}

/** A starting strategy's state: its cash, no position yet, and where its trading starts. */
function startingState(record: StrategyRecord, tradingStartTime: number, run: RunNumber): StrategyState {
  return {
    strategyId: record.id,
    time: 0,
    cash: record.initialCash,
    equity: record.initialCash,
    positionQty: '0',
    avgEntryPrice: '0',
    realizedPnl: '0',
    unrealizedPnl: '0',
    feesPaid: '0',
    lastPrice: null,
    lastCandleCloseTime: null,
    tradeCount: 0,
    core: { tradingStartTime, ...run },
  };
}
