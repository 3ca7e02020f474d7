import { ConsumerGroups, Streams, WARMUP_HISTORY_WAIT_MS } from '@btc-research/contracts';
import { createNotificationChannels, type Logger, type MessageBus, type StrategyStore, type Subscription } from '@btc-research/platform';
import { Announcer } from './announcer.js';
import { AutoStart } from './auto-start.js';
import { BROADCAST_COMMANDS, CommandHandler } from './command-handler.js';
import type { PaperTraderConfig } from './config.js';
import { ConfigWatcher } from './config-watcher.js';
import { EffectsWriter } from './effects-writer.js';
import { InputCommitter } from './input-committer.js';
import { LeaseKeeper } from './lease-keeper.js';
import { LeaseRound } from './lease-round.js';
import { MarketLogIngest } from './market-log.js';
import { MarketLogFollower } from './market-log-follower.js';
import { MarketLogPoller } from './market-log-poller.js';
import { MarketLogPruner } from './market-log-pruner.js';
import { MarketLogTail } from './market-log-tail.js';
import { Notifier } from './notifications/notifier.js';
import { OwnedStrategies } from './owned-strategies.js';
import { ParityMonitor } from './parity-monitor.js';
import { RepeatingTask } from './repeating-task.js';
import { SerialQueue } from './serial-queue.js';
import { StrategyActivation } from './strategy-activation.js';
import { WarmupIntake } from './warmup-intake.js';
import { StrategyLifecycle } from './strategy-lifecycle.js';
import type { StrategyRunner } from './strategy-runner.js';
import { StrategyStatuses } from './strategy-status.js';

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

/** how long a config file must stay unchanged before it is started */
const CONFIG_SETTLE_MS = 200;
/** inputs a parity check replays between two yields to the event loop */
const PARITY_CHUNK_INPUTS = 128;
/** how often the log writer applies the market log's retention */
const PRUNE_INTERVAL_MS = 60_000;

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
 *
 * Each part is its own module; this file builds them, wires them and starts them.
 */
export async function startPaperTrader(deps: PaperTraderDeps): Promise<PaperTrader> {
  const { config, bus, logger } = deps;
  const parts = buildPaperTraderParts(deps);
  const { serial, ingest, owned, leaseRound, autoStart } = parts;

  // Alerts and notifications: their own consumer group and sender loop, never in the trading path;
  // started first so the statuses of the start-up below are seen.
  const channels = config.notifications ? createNotificationChannels(config.notifications) : [];
  const notifier = channels.length > 0 ? new Notifier({ bus, store: deps.store, logger: logger.child({ part: 'notifier' }), channels, worker: config.consumerName, ...(deps.now ? { now: deps.now } : {}) }) : null;
  notifier?.start();

  // Startup is recovery: take the market log if free, rebuild every live strategy nobody owns.
  try {
    await serial.run(async () => {
      await leaseRound.run();
      if (config.autoStart) await autoStart.startAll();
    });
  } catch (err) {
    await notifier?.close();
    throw err;
  }

  const subscriptions: Subscription[] = [
    bus.consume({ streams: [Streams.commands()], group: ConsumerGroups.paperTrader, consumer: config.consumerName, startAt: '0' }, (entries) => serial.run(() => parts.commands.handle(entries))),
    // a group of this worker's own, from now on: force exits reach every worker, the owner acts
    bus.consume({ streams: [Streams.commands()], group: `${ConsumerGroups.paperTrader}-${config.consumerName}`, consumer: config.consumerName, startAt: '$' }, (entries) => serial.run(() => parts.broadcastCommands.handle(entries))),
  ];
  const leaseTimer = new RepeatingTask({
    intervalMs: Math.max(50, Math.floor(config.leaseTtlMs / 3)),
    run: () => serial.run(() => leaseRound.run()),
    onError: (err) => logger.error({ err }, 'lease round failed'),
  });
  const pollTimer = new RepeatingTask({ intervalMs: config.pollMs, run: () => parts.poller.poll(), onError: (err) => logger.warn({ err }, 'market log poll failed') });
  leaseTimer.start();
  pollTimer.start();
  parts.parity.start();
  const watcher = config.autoStart
    ? new ConfigWatcher({
        dir: config.configDir,
        settleMs: CONFIG_SETTLE_MS,
        logger,
        onSettled: (file) => void serial.run(() => autoStart.startFileIfPresent(file)).catch((err: unknown) => logger.error({ err, file }, 'auto-start of a new config failed')),
      })
    : null;
  watcher?.start();
  logger.info({ worker: config.consumerName, strategies: owned.ids(), ingesting: ingest.isRunning() }, 'paper-trader started');

  return {
    runners: () => owned.runners(),
    isIngesting: () => ingest.isRunning(),
    async close() {
      parts.shutdown.abort();
      watcher?.close();
      await parts.parity.stop();
      leaseTimer.stop();
      pollTimer.stop();
      await notifier?.close();
      await Promise.all(subscriptions.map((s) => s.stop()));
      await ingest.stop();
      await serial.idle();
      await handOver(owned, parts.leases);
    },
  };
}

/** The service's parts, built and wired; nothing runs until startPaperTrader starts them. */
export interface PaperTraderParts {
  /** aborted when the service closes */
  shutdown: AbortController;
  /** serialises commands, activations and lease work */
  serial: SerialQueue;
  leases: LeaseKeeper;
  owned: OwnedStrategies;
  ingest: MarketLogIngest;
  lifecycle: StrategyLifecycle;
  commands: CommandHandler;
  /** commands every worker sees (force exit) */
  broadcastCommands: CommandHandler;
  autoStart: AutoStart;
  leaseRound: LeaseRound;
  poller: MarketLogPoller;
  /** parity checks, scheduled and on request, off the trading path */
  parity: ParityMonitor;
}

export function buildPaperTraderParts(deps: PaperTraderDeps): PaperTraderParts {
  const { config, bus, store, logger } = deps;
  const now = deps.now ?? Date.now;
  const worker = config.consumerName;
  const shutdown = new AbortController();
  const signal = shutdown.signal;
  const serial = new SerialQueue();
  const leases = new LeaseKeeper({ store, worker, ttlMs: config.leaseTtlMs });
  const announcer = new Announcer({ bus, worker, now });
  const statuses = new StrategyStatuses({ store, announcer, now });
  const owned = new OwnedStrategies({ leases, statuses, logger });
  const tail = new MarketLogTail({ store, isIngesting: (): boolean => ingest.isRunning() });
  const writer = new EffectsWriter(store);
  const follower = new MarketLogFollower({ owned, tail, writer, announcer, statuses, logger, signal });
  const committer = new InputCommitter({ store, owned, tail, announcer, statuses, logger });
  const ingest = new MarketLogIngest({
    bus,
    store,
    logger,
    worker,
    claimIdleMs: Math.max(100, config.leaseTtlMs - 100),
    onAppended: (symbol, added) => {
      tail.remember(symbol, added);
      owned.wake(symbol);
    },
    commit: (symbol, events) => committer.commit(symbol, events),
  });
  const execution = config.makerCommission === undefined ? undefined : { makerCommission: config.makerCommission };
  const activation = new StrategyActivation({ store, leases, owned, statuses, tail, writer, follower, logger, now, execution, snapshotIntervalMs: config.snapshotIntervalMs, warmupWaitMs: config.warmupWaitMs ?? WARMUP_HISTORY_WAIT_MS });
  const warmups = new WarmupIntake({ store, owned, activation, logger, now, waitMs: config.warmupWaitMs ?? WARMUP_HISTORY_WAIT_MS });
  const lifecycle = new StrategyLifecycle({ store, owned, leases, statuses, activation, tail, now, defaultInitialCash: config.initialCash });
  const pruner = new MarketLogPruner({ store, logger, now, retentionMs: config.marketLogRetentionMs ?? 0, intervalMs: config.marketLogPruneIntervalMs ?? PRUNE_INTERVAL_MS });
  const parity = new ParityMonitor({
    store,
    bus,
    logger,
    now,
    worker,
    execution,
    intervalMs: config.parityIntervalMs ?? 0,
    indicatorTolerance: config.parityIndicatorTolerance ?? 0.0001,
    chunkSize: PARITY_CHUNK_INPUTS,
    ownedIds: () => owned.ids(),
  });
  return {
    shutdown,
    serial,
    parity,
    leases,
    owned,
    ingest,
    lifecycle,
    commands: new CommandHandler(lifecycle, parity, warmups),
    broadcastCommands: new CommandHandler(lifecycle, parity, warmups, BROADCAST_COMMANDS),
    autoStart: new AutoStart({ store, lifecycle, logger, configDir: config.configDir, from: config.autoStartFrom }),
    leaseRound: new LeaseRound({ store, leases, ingest, pruner, owned, activation, logger, signal }),
    poller: new MarketLogPoller({ store, owned, tail, isIngesting: () => ingest.isRunning() }),
  };
}

/** A clean shutdown hands everything over at once instead of waiting for leases to expire. */
async function handOver(owned: OwnedStrategies, leases: LeaseKeeper): Promise<void> {
  for (const strategy of owned.all()) {
    await strategy.pump.settled();
    await strategy.followUps.idle();
  }
  for (const id of owned.ids()) {
    const strategy = owned.get(id);
    if (strategy) await strategy.snapshots.saveNow().catch(() => undefined);
    await owned.deactivate(id, true);
  }
  await leases.releaseMarketLog();
}
