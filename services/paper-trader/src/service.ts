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
import { formatProblem, loadStrategyConfig, type Candle } from '@btc-research/engine';
import type { BusEntry, Logger, MessageBus, StrategyRecord, StrategyStore, Subscription } from '@btc-research/platform';
import { CandleLog } from './candle-log.js';
import type { PaperTraderConfig } from './config.js';
import { StrategyRunner, type RunnerOutput } from './strategy-runner.js';

export interface PaperTraderDeps {
  config: PaperTraderConfig;
  bus: MessageBus;
  store: StrategyStore;
  logger: Logger;
  now?: () => number;
}

export interface PaperTrader {
  runners(): ReadonlyMap<string, StrategyRunner>;
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

/**
 * The paper trader: runs every started strategy on closed 1m candles from the bus with the engine's
 * TradingCore, persists trades, state, positions and equity, and publishes fills, equity and status.
 * Each candle batch is persisted before it is acknowledged; candles are deduplicated by open time,
 * so redelivery after a crash never doubles a trade.
 */
export async function startPaperTrader(deps: PaperTraderDeps): Promise<PaperTrader> {
  const { config, bus, store, logger } = deps;
  const now = deps.now ?? Date.now;
  const runners = new Map<string, StrategyRunner>();
  const logs = new Map<string, CandleLog>();
  const subscriptions: Subscription[] = [];
  let watcher: fs.FSWatcher | null = null;
  let closed = false;
  let queue: Promise<void> = Promise.resolve();
  /** serialises everything that touches runners (bus batches, commands, config-dir events) */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn);
    queue = p.then(
      () => undefined,
      () => undefined,
    );
    return p;
  };

  const logFor = async (symbol: string): Promise<CandleLog> => {
    let log = logs.get(symbol);
    if (!log) {
      log = new CandleLog(config.dataDir, symbol);
      await log.load();
      logs.set(symbol, log);
    }
    return log;
  };

  const publishStatus = async (id: string, status: StrategyStatusValue, error: string | null) => {
    const t = now();
    await bus.publish(
      Streams.strategyEvents(),
      makeEnvelope({ type: MessageType.strategyStatus, id: `${id}-status-${t}-${status}`, source: config.consumerName, tsEvent: t, tsInit: t, payload: { strategyId: id, status, error, time: t } }),
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

  const persist = async (runner: StrategyRunner, output: RunnerOutput, publishEquity: boolean) => {
    const id = runner.record.id;
    if (output.trades.length > 0) await store.appendTrades(id, output.trades);
    await store.saveState(runner.state());
    await store.savePositions(id, runner.positions());
    const point = runner.equityPoint();
    if (point) await store.appendEquity(id, [point]);
    for (const t of output.trades) {
      await bus.publish(
        Streams.strategyEvents(),
        makeEnvelope({ type: MessageType.strategyFill, id: `fill-${t.tradeId}`, source: config.consumerName, tsEvent: t.time, tsInit: now(), payload: t }),
        StreamRetention.strategyEvents,
      );
    }
    if (publishEquity) {
      const s = runner.state();
      await bus.publish(
        Streams.strategyEvents(),
        makeEnvelope({
          type: MessageType.strategyEquity,
          id: `equity-${id}-${s.time}`,
          source: config.consumerName,
          tsEvent: s.time,
          tsInit: now(),
          payload: { strategyId: id, time: s.time, equity: s.equity, cash: s.cash, positionQty: s.positionQty, realizedPnl: s.realizedPnl, unrealizedPnl: s.unrealizedPnl, lastPrice: s.lastPrice },
        }),
        StreamRetention.strategyEvents,
      );
    }
  };

  /** Builds a runner and replays the candle log through it (warm-up and, on restart, recovery). */
  const activate = async (record: StrategyRecord, tradingStartTime: number) => {
    const built = StrategyRunner.create(record, tradingStartTime);
    if (!built.ok) {
      const message = built.errors.map(formatProblem).join('; ');
      logger.error({ strategyId: record.id, errors: built.errors }, 'strategy config is invalid');
      await setStatus(record, 'error', message);
      return;
    }
    const runner = built.runner;
    const log = await logFor(record.symbol);
    const replayed: RunnerOutput = { trades: [], rejections: [] };
    try {
      for (const c of log.all()) {
        const out = runner.process(c);
        replayed.trades.push(...out.trades);
      }
    } catch (err) {
      await setStatus(record, 'error', (err as Error).message);
      logger.error({ err, strategyId: record.id }, 'strategy failed while replaying history');
      return;
    }
    // appendTrades is idempotent: trades persisted before a crash are not doubled.
    await persist(runner, replayed, false);
    runners.set(record.id, runner);
    await setStatus(record, runner.core.logic.isReady() ? 'running' : 'warming-up', null);
    logger.info({ strategyId: record.id, candles: log.all().length, trades: replayed.trades.length, warmupMinutes: runner.core.logic.warmupMinutes }, 'strategy active');
  };

  const startStrategy = async (input: { id: string; configName: string; configYaml: string; initialCash?: string | undefined; from: 'history' | 'now' }) => {
    const existing = await store.getStrategy(input.id);
    if (existing && runners.has(input.id)) return;
    const loaded = loadStrategyConfig(input.configYaml, input.configName);
    const symbol = loaded.ok ? loaded.config.marketSymbol : 'BTCUSDT';
    const initialCash = input.initialCash ?? (loaded.ok ? String(loaded.config.backtest.cash) : config.initialCash);
    const t = now();
    const record: StrategyRecord = existing
      ? { ...existing, configYaml: input.configYaml, configName: input.configName, status: 'starting', error: null, updatedAt: t }
      : { id: input.id, name: loaded.ok ? (loaded.config.name ?? input.configName) : input.configName, configName: input.configName, configYaml: input.configYaml, symbol, status: 'starting', error: null, initialCash, createdAt: t, updatedAt: t };
    await store.upsertStrategy(record);
    const log = await logFor(symbol);
    const tradingStartTime = input.from === 'history' ? 0 : (log.last()?.closeTime ?? t);
    await store.saveState({ strategyId: record.id, time: 0, cash: record.initialCash, equity: record.initialCash, positionQty: '0', avgEntryPrice: '0', realizedPnl: '0', unrealizedPnl: '0', feesPaid: '0', lastPrice: null, lastCandleCloseTime: null, tradeCount: 0, core: { tradingStartTime } });
    await activate(record, tradingStartTime);
  };

  const stopStrategy = async (id: string) => {
    const record = await store.getStrategy(id);
    if (!record) return;
    runners.delete(id);
    await setStatus(record, 'stopped', null);
  };

  const onCandles = async (entries: readonly BusEntry[]) => {
    const bySymbol = new Map<string, Candle[]>();
    for (const e of entries) {
      if (!isMessage(e.envelope, MessageType.candleClosed)) continue;
      const p = e.envelope.payload;
      const candle: Candle = { openTime: p.openTime, closeTime: p.closeTime, open: Number(p.open), high: Number(p.high), low: Number(p.low), close: Number(p.close), volume: Number(p.volume) };
      const log = await logFor(p.symbol);
      const list = bySymbol.get(p.symbol) ?? [];
      const lastNew = list[list.length - 1];
      if (lastNew ? candle.openTime >= lastNew.closeTime : log.accepts(candle)) list.push(candle);
      bySymbol.set(p.symbol, list);
    }
    for (const [symbol, candles] of bySymbol) {
      if (candles.length === 0) continue;
      const log = await logFor(symbol);
      await log.append(candles);
      for (const runner of [...runners.values()].filter((r) => r.record.symbol === symbol)) {
        const out: RunnerOutput = { trades: [], rejections: [] };
        try {
          for (const c of candles) {
            const o = runner.process(c);
            out.trades.push(...o.trades);
            out.rejections.push(...o.rejections);
          }
        } catch (err) {
          // Isolation: one strategy failing never stops the others.
          runners.delete(runner.record.id);
          logger.error({ err, strategyId: runner.record.id }, 'strategy failed; stopped it, the others keep trading');
          await setStatus(runner.record, 'error', (err as Error).message);
          continue;
        }
        for (const r of out.rejections) logger.info({ strategyId: runner.record.id, ...r }, 'order rejected');
        await persist(runner, out, true);
        if (runner.record.status === 'warming-up' && runner.core.logic.isReady()) await setStatus(runner.record, 'running', null);
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

  const autoStartFile = async (file: string) => {
    const id = strategyIdFromFile(file);
    if (await store.getStrategy(id)) return;
    const text = await fsp.readFile(path.join(config.configDir, file), 'utf8');
    logger.info({ strategyId: id, file }, 'auto-starting strategy from config/');
    await startStrategy({ id, configName: file, configYaml: text, from: config.autoStartFrom });
  };

  // Startup is recovery: rebuild every strategy that was running.
  await serial(async () => {
    for (const record of await store.listStrategies()) {
      if (record.status === 'stopped') continue;
      const state = await store.loadState(record.id);
      const core = (state?.core ?? {}) as { tradingStartTime?: number };
      await activate(record, core.tradingStartTime ?? record.createdAt);
    }
    if (config.autoStart) {
      const files = (await fsp.readdir(config.configDir).catch(() => [] as string[])).filter((f) => /\.ya?ml$/i.test(f)).sort();
      for (const f of files) await autoStartFile(f);
    }
  });

  const symbols = [...new Set([...runners.values()].map((r) => r.record.symbol).concat(['BTCUSDT']))];
  subscriptions.push(
    bus.consume({ streams: symbols.map((s) => Streams.candles(s)), group: ConsumerGroups.paperTrader, consumer: config.consumerName, startAt: '0', batchSize: 500 }, (entries) => serial(() => onCandles(entries))),
    bus.consume({ streams: [Streams.commands()], group: ConsumerGroups.paperTrader, consumer: config.consumerName, startAt: '0' }, (entries) => serial(() => onCommands(entries))),
  );

  if (config.autoStart) {
    try {
      watcher = fs.watch(config.configDir, (_event, name) => {
        if (closed || name === null || !/\.ya?ml$/i.test(name)) return;
        void serial(async () => {
          if (fs.existsSync(path.join(config.configDir, name))) await autoStartFile(name);
        }).catch((err: unknown) => logger.error({ err, file: name }, 'auto-start of a new config failed'));
      });
    } catch (err) {
      logger.warn({ err, dir: config.configDir }, 'cannot watch config/ for new strategies');
    }
  }
  logger.info({ strategies: [...runners.keys()], symbols }, 'paper-trader started');

  return {
    runners: () => runners,
    async close() {
      closed = true;
      watcher?.close();
      await Promise.all(subscriptions.map((s) => s.stop()));
      await queue;
    },
  };
}
