import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  ConsumerGroups,
  MessageType,
  StreamRetention,
  Streams,
  isMessage,
  makeEnvelope,
  type StrategyStatusValue,
} from '@btc-research/contracts';
import { formatProblem, loadStrategyConfig } from '@btc-research/engine';
import {
  type BusEntry,
  type Logger,
  type MarketEventRecord,
  type SnapshotRecord,
  type MessageBus,
  type StrategyEffects,
  type StrategyRecord,
  type StrategyStore,
  type Subscription,
} from '@btc-research/platform';
import type { PaperTraderConfig } from './config.js';
import { MarketLogIngest } from './market-log.js';
import { pruneMarketLog } from './market-log-retention.js';
import { emptyOutput, StrategyRunner, type RunnerOutput } from './strategy-runner.js';
import { canonicalJson } from './canonical-json.js';

export interface PaperTraderDeps {
  config: PaperTraderConfig;
  bus: MessageBus;
  store: StrategyStore;
  logger: Logger;
  now?: () => number;
}

export interface PaperTrader {
  /** strategies this worker owns and runs */
  runners(): ReadonlyMap<string, StrategyRunner>;
  /** true while this worker writes the shared market log */
  isIngesting(): boolean;
  close(): Promise<void>;
}

/** Strategy id from a config file name: "Demo RSI.yaml" → "demo-rsi". */
export function strategyIdFromFile(fileName: string): string {
  return (
    path
      .basename(fileName)
      .replace(/\.ya?ml$/i, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63) || 'strategy'
  );
}

const MARKET_LEASE = 'market-log';
const strategyLease = (id: string) => `strategy:${id}`;
const REPLAY_PAGE = 5_000;
/** how long a config file must stay unchanged before it is started */
const CONFIG_SETTLE_MS = 200;
/** how often the log writer applies the market log's retention */
const PRUNE_INTERVAL_MS = 60_000;
const LIVE_STATUSES: ReadonlySet<StrategyStatusValue> = new Set(['starting', 'warming-up', 'running']);

interface Owned {
  runner: StrategyRunner;
  pumping: Promise<void> | null;
  dirty: boolean;
  lastSnapshotAt: number;
  /** announcements and snapshots of batches the log writer committed, in order */
  followUp: Promise<void>;
  /** market-log seq of the newest snapshot saved */
  snapshotSeq: number;
}

/**
 * The paper trader. Market data flows bus → market log → strategies:
 *  - one worker at a time (under the `market-log` lease) consumes the market streams with the
 *    shared consumer group, appends every input to the per-symbol market log in the store
 *    (idempotent on its source id) and acknowledges only after that write;
 *  - each strategy is owned by one worker under its own lease. The owner rebuilds it by replaying
 *    the market log through the engine's TradingCore, then follows the log; every processed batch
 *    is written as one set of effects (trades, orders, event log, positions, equity, state last),
 *    all keyed by deterministic ids, so a crash at any point and the replay after it neither lose
 *    nor double anything. A worker that dies loses its leases; another takes its strategies over.
 * Commands (start/stop) arrive on the bus through the shared group; any worker may handle them.
 */
export async function startPaperTrader(deps: PaperTraderDeps): Promise<PaperTrader> {
  const { config, bus, store, logger } = deps;
  const now = deps.now ?? Date.now;
  const worker = config.consumerName;
  const owned = new Map<string, Owned>();
  const runnerView = new Map<string, StrategyRunner>();
  const subscriptions: Subscription[] = [];
  const knownSeq = new Map<string, { seq: number; time: number }>();
  const execution = config.makerCommission === undefined ? undefined : { makerCommission: config.makerCommission };
  let watcher: fs.FSWatcher | null = null;
  let closed = false;
  let queue: Promise<void> = Promise.resolve();
  let leaseTimer: NodeJS.Timeout | null = null;
  let pollTimer: NodeJS.Timeout | null = null;

  const writer = new EffectsWriter(store);

  /** serialises commands, activations and lease work */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn);
    queue = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  };

  const publishStatus = async (id: string, status: StrategyStatusValue, error: string | null) => {
    const t = now();
    await bus.publish(
      Streams.strategyEvents(),
      makeEnvelope({ type: MessageType.strategyStatus, id: `${id}-status-${t}-${status}`, source: worker, tsEvent: t, tsInit: t, payload: { strategyId: id, status, error, time: t } }),
      StreamRetention.strategyEvents,
    );
  };

  const setStatus = async (record: StrategyRecord, status: StrategyStatusValue, error: string | null) => {
    if (record.status === status && record.error === error) return;
    record.status = status;
    record.error = error;
    record.updatedAt = now();
    await store.upsertStrategy(record);
    await publishStatus(record.id, status, error);
  };

  const saveSnapshot = async (o: Owned) => {
    await storeSnapshot(o, o.runner.snapshotRecord());
    o.lastSnapshotAt = now();
  };
  /** Never replaces a snapshot with an older one (the fast path saves its snapshots a little later). */
  const storeSnapshot = async (o: Owned, snapshot: SnapshotRecord) => {
    if (snapshot.marketSeq < o.snapshotSeq) return;
    o.snapshotSeq = snapshot.marketSeq;
    await store.saveSnapshot(snapshot);
  };

  /** What one processed batch changed for a strategy, as the store writes it (state last). */
  const effectsOf = (runner: StrategyRunner, out: RunnerOutput): StrategyEffects => {
    const point = out.candles > 0 ? runner.equityPoint() : null;
    return { trades: out.trades, orders: out.orders, events: out.events, positions: runner.positions(), equity: point ? [point] : [], state: runner.state() };
  };
  /** ticks that changed nothing (no order, fill or candle) need no write: the account is as stored */
  const changedAnything = (out: RunnerOutput) => out.candles > 0 || out.events.length > 0;

  /** Writes one batch's effects (state last), then tells the world. */
  const persist = async (runner: StrategyRunner, out: RunnerOutput, publish: boolean) => {
    await writer.write(runner.record.id, effectsOf(runner, out));
    if (publish) await announce(runner, out);
  };

  /** Publishes a committed batch's fills and, after a candle, the new equity. */
  const announce = async (runner: StrategyRunner, out: RunnerOutput) => {
    const id = runner.record.id;
    for (const t of out.trades) {
      await bus.publish(
        Streams.strategyEvents(),
        makeEnvelope({ type: MessageType.strategyFill, id: `fill-${t.tradeId}`, source: worker, tsEvent: t.time, tsInit: now(), payload: t }),
        StreamRetention.strategyEvents,
      );
    }
    if (out.candles > 0) {
      const s = runner.state();
      await bus.publish(
        Streams.strategyEvents(),
        makeEnvelope({
          type: MessageType.strategyEquity,
          id: `equity-${id}-${s.time}`,
          source: worker,
          tsEvent: s.time,
          tsInit: now(),
          payload: { strategyId: id, time: s.time, equity: s.equity, cash: s.cash, positionQty: s.positionQty, realizedPnl: s.realizedPnl, unrealizedPnl: s.unrealizedPnl, lastPrice: s.lastPrice },
        }),
        StreamRetention.strategyEvents,
      );
    }
  };

  const deactivate = async (id: string, release: boolean) => {
    const o = owned.get(id);
    owned.delete(id);
    runnerView.delete(id);
    if (o?.pumping) await o.pumping.catch(() => undefined);
    if (release) await store.releaseLease(strategyLease(id), worker).catch(() => undefined);
  };

  const fail = async (o: Owned, err: unknown) => {
    const record = o.runner.record;
    // Isolation: one strategy failing never stops the others.
    logger.error({ err, strategyId: record.id }, 'strategy failed; stopped it, the others keep trading');
    owned.delete(record.id);
    runnerView.delete(record.id);
    await setStatus(record, 'error', (err as Error).message);
    await store.releaseLease(strategyLease(record.id), worker).catch(() => undefined);
  };

  /**
   * What this worker itself appended recently, per symbol (contiguous seqs): owners on the ingesting
   * worker follow the log from memory instead of reading back what they just wrote.
   */
  const tail = new Map<string, MarketEventRecord[]>();
  const TAIL_MAX = 5_000;
  const remember = (symbol: string, added: readonly MarketEventRecord[]) => {
    let t = tail.get(symbol) ?? [];
    const last = t[t.length - 1];
    if (last && added[0] && added[0].seq !== last.seq + 1) t = []; // a gap: start over
    for (const e of added) t.push(e);
    if (t.length > 2 * TAIL_MAX) t = t.slice(t.length - TAIL_MAX); // amortised trimming
    tail.set(symbol, t);
    for (const e of added) noteSeq(symbol, e);
  };
  /** Events after `seq` from memory, or null when memory does not cover them. */
  const fromTail = (symbol: string, seq: number): MarketEventRecord[] | null => {
    const t = tail.get(symbol);
    if (!t || t.length === 0 || !ingest.isRunning()) return null;
    const first = t[0]!.seq;
    const last = t[t.length - 1]!.seq;
    if (seq + 1 < first) return null;
    if (seq >= last) return (knownSeq.get(symbol)?.seq ?? 0) > seq ? null : [];
    return t.slice(seq + 1 - first, seq + 1 - first + REPLAY_PAGE);
  };

  /** Follows the market log from the runner's position to its end. */
  const pumpOnce = async (o: Owned) => {
    const r = o.runner;
    for (;;) {
      if (closed || owned.get(r.record.id) !== o) return;
      const page = fromTail(r.record.symbol, r.marketSeq) ?? (await store.listMarketEvents(r.record.symbol, r.marketSeq, REPLAY_PAGE));
      if (page.length === 0) break;
      const out = emptyOutput();
      try {
        for (const e of page) r.process(e, out);
      } catch (err) {
        await fail(o, err);
        return;
      }
      for (const rej of out.rejections) logger.info({ strategyId: r.record.id, ...rej }, 'order rejected');
      if (changedAnything(out)) await persist(r, out, true);
      noteSeq(r.record.symbol, page[page.length - 1]!);
      if (r.record.status === 'warming-up' && r.core.logic.isReady()) await setStatus(r.record, 'running', null);
      if (now() - o.lastSnapshotAt >= config.snapshotIntervalMs) await saveSnapshot(o);
    }
  };

  const pump = (o: Owned): Promise<void> => {
    if (o.pumping) {
      o.dirty = true;
      return o.pumping;
    }
    const run = async () => {
      do {
        o.dirty = false;
        await pumpOnce(o);
      } while (o.dirty && !closed);
    };
    o.pumping = run()
      .catch((err: unknown) => {
        // The runner is ahead of what was stored: drop it (keeping the lease); the next lease
        // round rebuilds it from the market log and rewrites the missing effects idempotently.
        logger.error({ err, strategyId: o.runner.record.id }, 'persisting a strategy batch failed; rebuilding it from the market log');
        if (owned.get(o.runner.record.id) === o) {
          owned.delete(o.runner.record.id);
          runnerView.delete(o.runner.record.id);
        }
      })
      .finally(() => {
        o.pumping = null;
      });
    return o.pumping;
  };

  /** Lets the strategies of a symbol follow the log (except those already up to date with it). */
  const wake = (symbol: string, upToDate: ReadonlySet<Owned> = new Set()) => {
    for (const o of owned.values()) if (o.runner.record.symbol === symbol && !upToDate.has(o)) void pump(o);
  };

  const noteSeq = (symbol: string, e: MarketEventRecord) => {
    const k = knownSeq.get(symbol);
    if (!k || e.seq > k.seq) knownSeq.set(symbol, { seq: e.seq, time: e.time });
  };

  /** Reads the log's end for a symbol (to start a strategy "from now"). */
  const catchUp = async (symbol: string) => {
    for (;;) {
      const page = await store.listMarketEvents(symbol, knownSeq.get(symbol)?.seq ?? 0, REPLAY_PAGE);
      if (page.length === 0) return knownSeq.get(symbol) ?? { seq: 0, time: 0 };
      noteSeq(symbol, page[page.length - 1]!);
    }
  };

  /**
   * Takes a strategy over (lease), rebuilds it from the market log and starts following the log.
   * The stored snapshot is checked on the way: a corrupt one is reported and replaced, one that
   * disagrees with the replay is reported (the log wins).
   */
  const activate = async (record: StrategyRecord): Promise<boolean> => {
    if (owned.has(record.id)) return true;
    if (!(await store.acquireLease(strategyLease(record.id), worker, config.leaseTtlMs))) return false;
    const state = await store.loadState(record.id).catch((err: unknown) => {
      logger.warn({ err, strategyId: record.id }, 'stored state unreadable; rebuilding from the market log');
      return null;
    });
    const core = (state?.core ?? {}) as { tradingStartTime?: number; run?: number; eventBase?: number };
    const tradingStartTime = core.tradingStartTime ?? record.createdAt;
    const build = () => StrategyRunner.create(record, tradingStartTime, execution, { run: core.run ?? 1, eventBase: core.eventBase ?? 0 });
    const built = build();
    if (!built.ok) {
      const message = built.errors.map(formatProblem).join('; ');
      logger.error({ strategyId: record.id, errors: built.errors }, 'strategy config is invalid');
      await setStatus(record, 'error', message);
      await store.releaseLease(strategyLease(record.id), worker);
      return false;
    }
    // e.g. compat: legacy rules naming columns that do not exist (one warning per name)
    if (built.warnings.length > 0) logger.warn({ strategyId: record.id, warnings: built.warnings.map(formatProblem) }, 'strategy config has warnings');
    let runner = built.runner;
    const snap = await store.loadSnapshot(record.id);
    if (snap.status === 'corrupt') logger.warn({ strategyId: record.id, reason: snap.reason }, 'snapshot is corrupt; rebuilding from the market log');
    // A valid snapshot of this very run restarts the strategy where it was; only the log after it
    // is replayed. Otherwise (none, corrupt, another run or config, an image that does not fit)
    // the whole log is replayed and the snapshot, if valid, is checked against the replay.
    let resumedAt: number | null = null;
    if (snap.status === 'ok') {
      const logEnd = (await store.lastMarketEvents(record.symbol, 1))[0]?.seq ?? 0;
      const logStart = (await store.listMarketEvents(record.symbol, 0, 1))[0]?.seq ?? 1;
      // the log after the snapshot must be complete (retention never cuts past a live strategy's snapshot)
      const covered = snap.snapshot.marketSeq <= logEnd && logStart <= snap.snapshot.marketSeq + 1;
      try {
        if (covered && runner.restoreFrom(snap.snapshot)) resumedAt = snap.snapshot.marketSeq;
      } catch (err) {
        logger.warn({ err, strategyId: record.id }, 'snapshot image does not fit this strategy; rebuilding from the market log');
        const again = build();
        if (!again.ok) throw new Error('a config that compiled once no longer compiles', { cause: err });
        runner = again.runner;
      }
    }
    if (resumedAt === null && ((state?.core ?? {}) as { marketSeq?: number }).marketSeq) {
      // it has traded before and needs a full replay, but the log's beginning was pruned: a replay
      // from what is left would not reproduce its account, so it stops with the reason
      const first = (await store.listMarketEvents(record.symbol, 0, 1))[0];
      if (first && first.seq > 1) {
        const message = `cannot be rebuilt: its snapshot cannot be used and the market log before seq ${first.seq} was pruned (retention); start it again as a new run`;
        logger.error({ strategyId: record.id, firstSeq: first.seq }, message);
        await setStatus(record, 'error', message);
        await store.releaseLease(strategyLease(record.id), worker);
        return false;
      }
    }
    const check = resumedAt === null && snap.status === 'ok' ? snap.snapshot : null;
    const checkedCore = (state: unknown) => (state !== null && typeof state === 'object' && 'core' in state ? (state as { core: unknown }).core : state);
    let checked = check === null;
    let replayed = 0;
    try {
      for (;;) {
        const page = await store.listMarketEvents(record.symbol, runner.marketSeq, REPLAY_PAGE);
        if (page.length === 0) break;
        const out = emptyOutput();
        for (const e of page) {
          runner.process(e, out);
          if (!checked && check && e.seq === check.marketSeq) {
            checked = true;
            if (canonicalJson(runner.snapshot()) !== canonicalJson(checkedCore(check.state)) || runner.eventSeq !== check.eventSeq) {
              logger.error({ strategyId: record.id, marketSeq: check.marketSeq }, 'snapshot disagrees with the replayed market log; the log wins');
            }
          }
        }
        replayed += page.length;
        noteSeq(record.symbol, page[page.length - 1]!);
        // effects are idempotent: what was persisted before a crash is not doubled
        await persist(runner, out, false);
      }
    } catch (err) {
      logger.error({ err, strategyId: record.id }, 'strategy failed while replaying history');
      await setStatus(record, 'error', (err as Error).message);
      await store.releaseLease(strategyLease(record.id), worker);
      return false;
    }
    if (replayed === 0) await persist(runner, emptyOutput(), false);
    const o: Owned = { runner, pumping: null, dirty: false, lastSnapshotAt: 0, followUp: Promise.resolve(), snapshotSeq: 0 };
    owned.set(record.id, o);
    runnerView.set(record.id, runner);
    await saveSnapshot(o);
    // strategies activated together would all take their next image in the same batch: spread them
    o.lastSnapshotAt -= Math.floor(Math.random() * config.snapshotIntervalMs);
    await setStatus(record, runner.core.logic.isReady() ? 'running' : 'warming-up', null);
    logger.info({ strategyId: record.id, replayed, resumedAt, trades: runner.core.summary().tradeCount, snapshot: snap.status, warmupMinutes: runner.core.logic.warmupMinutes }, 'strategy active');
    void pump(o);
    return true;
  };

  const startStrategy = async (input: { id: string; configName: string; configYaml: string; initialCash?: string | undefined; from: 'history' | 'now' }) => {
    const existing = await store.getStrategy(input.id);
    if (existing && (owned.has(input.id) || (LIVE_STATUSES.has(existing.status) && (await store.getLease(strategyLease(input.id))) !== null))) return;
    const loaded = loadStrategyConfig(input.configYaml, input.configName);
    const symbol = loaded.ok ? loaded.config.marketSymbol : 'BTCUSDT';
    const initialCash = input.initialCash ?? (loaded.ok ? String(loaded.config.backtest.cash) : config.initialCash);
    const t = now();
    const record: StrategyRecord = existing
      ? { ...existing, configYaml: input.configYaml, configName: input.configName, status: 'starting', error: null, updatedAt: t }
      : { id: input.id, name: loaded.ok ? (loaded.config.name ?? input.configName) : input.configName, configName: input.configName, configYaml: input.configYaml, symbol, status: 'starting', error: null, initialCash, createdAt: t, updatedAt: t };
    const tradingStartTime = input.from === 'history' ? 0 : (await catchUp(symbol)).time || t;
    // a restart is a new run: its order, trade and event ids continue after the previous run's
    let run = { run: 1, eventBase: 0 };
    if (existing) {
      const prev = ((await store.loadState(input.id).catch(() => null))?.core ?? {}) as { run?: number; eventSeq?: number; eventBase?: number };
      const lastEvents = await store.listEvents(input.id, prev.eventSeq ?? prev.eventBase ?? 0, 1_000_000);
      const lastSeq = lastEvents.length > 0 ? lastEvents[lastEvents.length - 1]!.seq : (prev.eventSeq ?? prev.eventBase ?? 0);
      run = { run: (prev.run ?? 1) + 1, eventBase: lastSeq };
    }
    // the state (with where trading starts) first: the record is the commit point of a start, so a
    // crash in between starts again from scratch instead of running without its start time
    await store.saveState({ strategyId: record.id, time: 0, cash: record.initialCash, equity: record.initialCash, positionQty: '0', avgEntryPrice: '0', realizedPnl: '0', unrealizedPnl: '0', feesPaid: '0', lastPrice: null, lastCandleCloseTime: null, tradeCount: 0, core: { tradingStartTime, ...run } });
    await store.upsertStrategy(record);
    await activate(record);
  };

  const stopStrategy = async (id: string) => {
    const record = await store.getStrategy(id);
    if (!record) return;
    await deactivate(id, true);
    // orders still working when the strategy stops are cancelled (the position is kept as it is)
    const open = await store.listOrders(id, { limit: 10_000, openOnly: true });
    if (open.length > 0) await store.upsertOrders(id, open.map((o) => ({ ...o, status: 'cancelled' as const, updatedAt: Math.max(o.updatedAt, now()) })));
    await setStatus(record, 'stopped', null);
  };

  /**
   * The fast path of the log writer: the strategies that are up to date with the log process the new
   * inputs right away, and the inputs and everything they caused are committed in one write, so a
   * fill is durable one commit after its market event arrived. Strategies still catching up follow
   * the log through their pumps as before. If the write fails, the strategies that took part are
   * ahead of the store: they are dropped (lease kept) and rebuilt from the log on the next lease round.
   */
  const commitInputs = async (symbol: string, events: readonly MarketEventRecord[]) => {
    const first = events[0]!.seq;
    const taken: Array<{ o: Owned; out: RunnerOutput }> = [];
    const failed: Array<{ o: Owned; err: unknown }> = [];
    for (const o of owned.values()) {
      const r = o.runner;
      if (r.record.symbol !== symbol || o.pumping !== null || r.marketSeq !== first - 1) continue;
      const out = emptyOutput();
      try {
        for (const e of events) r.process(e, out);
      } catch (err) {
        failed.push({ o, err });
        continue;
      }
      taken.push({ o, out });
    }
    // their pumps wait until the write is done, so each strategy's writes stay in order
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    for (const t of taken) t.o.pumping = held;
    const dropTaken = () => {
      for (const { o } of taken) {
        if (owned.get(o.runner.record.id) !== o) continue;
        owned.delete(o.runner.record.id);
        runnerView.delete(o.runner.record.id);
      }
    };
    try {
      const changed = taken.filter((t) => changedAnything(t.out));
      await store.appendMarketEventsWithEffects(
        symbol,
        events,
        changed.map((t) => ({ strategyId: t.o.runner.record.id, effects: effectsOf(t.o.runner, t.out) })),
      );
    } catch (err) {
      logger.error({ err, symbol, fromSeq: first, strategies: taken.length }, 'writing market inputs with their effects failed; rebuilding the strategies that took part');
      dropTaken();
      throw err;
    } finally {
      for (const t of taken) if (t.o.pumping === held) t.o.pumping = null;
      release();
    }
    remember(symbol, events);
    for (const { o, err } of failed) void fail(o, err);
    for (const t of taken) afterCommit(t.o, t.out);
    // the others follow the log; waking those that just took part would only start idle pumps,
    // which would keep them out of the next batch
    wake(symbol, new Set(taken.map((t) => t.o)));
  };

  /** A committed batch's follow-up, in order per strategy and off the ingest's path. */
  const afterCommit = (o: Owned, out: RunnerOutput) => {
    const r = o.runner;
    for (const rej of out.rejections) logger.info({ strategyId: r.record.id, ...rej }, 'order rejected');
    const becameReady = r.record.status === 'warming-up' && r.core.logic.isReady();
    // the snapshot is taken now, while it matches what was just committed
    const snapshot = now() - o.lastSnapshotAt >= config.snapshotIntervalMs ? r.snapshotRecord() : null;
    if (snapshot) o.lastSnapshotAt = now();
    if (!changedAnything(out) && !becameReady && !snapshot) return;
    o.followUp = o.followUp
      .then(async () => {
        if (changedAnything(out)) await announce(r, out);
        if (becameReady) await setStatus(r.record, 'running', null);
        if (snapshot) await storeSnapshot(o, snapshot);
      })
      .catch((err: unknown) => logger.warn({ err, strategyId: r.record.id }, 'announcing a committed batch failed'));
  };

  // ---- market log ingest (one worker at a time) ------------------------------------------------
  const ingest = new MarketLogIngest({
    bus,
    store,
    logger,
    worker,
    claimIdleMs: Math.max(100, config.leaseTtlMs - 100),
    onAppended: (symbol, added) => {
      remember(symbol, added);
      wake(symbol);
    },
    commit: commitInputs,
  });

  let lastPruneAt = Number.NEGATIVE_INFINITY;
  /** Renews leases, takes over strategies nobody owns, drops what this worker lost or was told to stop. */
  const leaseTick = async () => {
    if (closed) return;
    const symbols = new Set(['BTCUSDT']);
    const records = await store.listStrategies();
    for (const r of records) symbols.add(r.symbol);
    if (await store.acquireLease(MARKET_LEASE, worker, config.leaseTtlMs)) {
      ingest.start([...symbols]);
      const retentionMs = config.marketLogRetentionMs ?? 0;
      if (retentionMs > 0 && now() - lastPruneAt >= (config.marketLogPruneIntervalMs ?? PRUNE_INTERVAL_MS)) {
        lastPruneAt = now();
        for (const symbol of symbols) {
          const live = records.filter((r) => r.symbol === symbol && LIVE_STATUSES.has(r.status));
          const pruned = await pruneMarketLog(store, symbol, retentionMs, live);
          if (pruned > 0) logger.info({ symbol, pruned, retentionHours: retentionMs / 3_600_000 }, 'pruned the market log');
        }
      }
    } else await ingest.stop();
    for (const r of records) {
      const mine = owned.get(r.id);
      if (mine) {
        if (!LIVE_STATUSES.has(r.status)) {
          logger.info({ strategyId: r.id, status: r.status }, 'strategy no longer live; dropping it');
          await deactivate(r.id, true);
        } else if (!(await store.acquireLease(strategyLease(r.id), worker, config.leaseTtlMs))) {
          logger.warn({ strategyId: r.id }, 'lost the lease of a strategy; another worker owns it now');
          await deactivate(r.id, false);
        } else mine.runner.record.status = r.status;
      } else if (LIVE_STATUSES.has(r.status)) {
        if (await activate(r)) logger.info({ strategyId: r.id, worker }, 'took over strategy');
      }
    }
  };

  const onCommands = async (entries: readonly BusEntry[]) => {
    for (const e of entries) {
      if (isMessage(e.envelope, MessageType.strategyStart)) {
        const p = e.envelope.payload;
        await startStrategy({ id: p.strategyId, configName: p.configName, configYaml: p.configYaml, initialCash: p.initialCash, from: 'now' });
      } else if (isMessage(e.envelope, MessageType.strategyStop)) {
        await stopStrategy(e.envelope.payload.strategyId);
      }
    }
  };

  /**
   * Starts a config file's strategy unless it exists already. One that failed on an invalid config
   * starts again once the file says something else (the user fixed it).
   */
  const autoStartFile = async (file: string) => {
    const id = strategyIdFromFile(file);
    const existing = await store.getStrategy(id);
    if (existing && existing.status !== 'error') return;
    const text = await fsp.readFile(path.join(config.configDir, file), 'utf8');
    if (existing && existing.configYaml === text) return;
    logger.info({ strategyId: id, file }, 'auto-starting strategy from config/');
    await startStrategy({ id, configName: file, configYaml: text, from: config.autoStartFrom });
  };

  // Startup is recovery: take the market log if free, rebuild every live strategy nobody owns.
  await serial(async () => {
    await leaseTick();
    if (config.autoStart) {
      const files = (await fsp.readdir(config.configDir).catch(() => [] as string[])).filter((f) => /\.ya?ml$/i.test(f)).sort();
      for (const f of files) await autoStartFile(f);
    }
  });

  subscriptions.push(
    bus.consume({ streams: [Streams.commands()], group: ConsumerGroups.paperTrader, consumer: worker, startAt: '0' }, (entries) => serial(() => onCommands(entries))),
  );
  const tickMs = Math.max(50, Math.floor(config.leaseTtlMs / 3));
  const scheduleTick = () => {
    leaseTimer = setTimeout(() => {
      void serial(leaseTick)
        .catch((err: unknown) => logger.error({ err }, 'lease round failed'))
        .finally(() => {
          if (!closed) scheduleTick();
        });
    }, tickMs);
  };
  scheduleTick();
  // A worker that does not write the market log learns about new inputs by polling it.
  const schedulePoll = () => {
    pollTimer = setTimeout(() => {
      const run = async () => {
        if (ingest.isRunning()) return;
        const symbols = new Set([...owned.values()].map((o) => o.runner.record.symbol));
        for (const s of symbols) {
          const k = knownSeq.get(s)?.seq ?? 0;
          const next = await store.listMarketEvents(s, k, 1);
          if (next.length > 0 || [...owned.values()].some((o) => o.runner.record.symbol === s && o.runner.marketSeq < k)) wake(s);
        }
      };
      void run()
        .catch((err: unknown) => logger.warn({ err }, 'market log poll failed'))
        .finally(() => {
          if (!closed) schedulePoll();
        });
    }, config.pollMs);
  };
  schedulePoll();

  if (config.autoStart) {
    try {
      // a file being written fires several events, the first often before its content is there:
      // act once it has been quiet for a moment
      const settling = new Map<string, NodeJS.Timeout>();
      watcher = fs.watch(config.configDir, (_event, name) => {
        if (closed || name === null || !/\.ya?ml$/i.test(name)) return;
        clearTimeout(settling.get(name));
        settling.set(
          name,
          setTimeout(() => {
            settling.delete(name);
            if (closed) return;
            void serial(async () => {
              if (fs.existsSync(path.join(config.configDir, name))) await autoStartFile(name);
            }).catch((err: unknown) => logger.error({ err, file: name }, 'auto-start of a new config failed'));
          }, CONFIG_SETTLE_MS),
        );
      });
      watcher.on('close', () => {
        for (const t of settling.values()) clearTimeout(t);
      });
    } catch (err) {
      logger.warn({ err, dir: config.configDir }, 'cannot watch config/ for new strategies');
    }
  }
  logger.info({ worker, strategies: [...owned.keys()], ingesting: ingest.isRunning() }, 'paper-trader started');

  return {
    runners: () => runnerView,
    isIngesting: () => ingest.isRunning(),
    async close() {
      closed = true;
      watcher?.close();
      if (leaseTimer) clearTimeout(leaseTimer);
      if (pollTimer) clearTimeout(pollTimer);
      await Promise.all(subscriptions.map((s) => s.stop()));
      await ingest.stop();
      await queue;
      for (const o of owned.values()) {
        if (o.pumping) await o.pumping.catch(() => undefined);
        await o.followUp;
      }
      // a clean shutdown hands everything over at once instead of waiting for leases to expire
      for (const id of [...owned.keys()]) {
        const o = owned.get(id);
        if (o) await saveSnapshot(o).catch(() => undefined);
        await deactivate(id, true);
      }
      await store.releaseLease(MARKET_LEASE, worker).catch(() => undefined);
    },
  };
}

/**
 * Gathers the writes of every strategy that became ready on the same input into one store call
 * (PostgreSQL: one statement, one commit). Each strategy still waits for its own write before its
 * next batch, so its effects stay in order. A failed group is retried strategy by strategy, so one
 * bad batch cannot fail the others.
 */
class EffectsWriter {
  private queue: Array<{ strategyId: string; effects: StrategyEffects; resolve: () => void; reject: (err: unknown) => void }> = [];
  private flushing = false;

  constructor(private readonly store: StrategyStore) {}

  write(strategyId: string, effects: StrategyEffects): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ strategyId, effects, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // strategies woken by the same input queue their writes in this turn: flush after it
        queueMicrotask(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0);
        try {
          await this.store.persistMany(group.map((g) => ({ strategyId: g.strategyId, effects: g.effects })));
          for (const g of group) g.resolve();
        } catch (err) {
          if (group.length === 1) {
            group[0]!.reject(err);
            continue;
          }
          for (const g of group) {
            await this.store.persistEffects(g.strategyId, g.effects).then(g.resolve, g.reject);
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
