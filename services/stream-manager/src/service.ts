import fs from 'node:fs/promises';
import path from 'node:path';
import { BINANCE_ENDPOINTS, BinanceRestClient, probeBinance, type BinanceVenue } from '@btc-research/binance';
import { MessageType, StreamRetention, Streams, makeEnvelope } from '@btc-research/contracts';
import { loadStrategyConfig } from '@btc-research/engine';
import type { Logger, MessageBus } from '@btc-research/platform';
import type { StreamManagerConfig } from './config.js';
import { startExchangeProber } from './exchange-prober.js';
import { marketOfStart, startStrategyDemand, type StrategyMarket } from './strategy-demand.js';
import { MarketPublisher } from './market-publisher.js';
import { startBinanceSource } from './binance/binance-source.js';
import type { MarketSource } from './sources/market-source.js';
import { readLines, startRecordedReplaySource } from './sources/recorded-replay.js';
import { startReplaySource } from './sources/replay-source.js';
import { startSimulatedSource } from './sources/simulated-source.js';

export interface StreamManagerDeps {
  config: StreamManagerConfig;
  bus: MessageBus;
  logger: Logger;
  now?: () => number;
}

export interface StreamManager {
  /** the running sources (auto on the simulator swaps them for Binance once it answers) */
  sources: MarketSource[];
  /** resolves when every source has finished (replay) or was stopped */
  done: Promise<void>;
  close(): Promise<void>;
}

/** Starts one market-data source per symbol, chosen by MARKET_DATA_SOURCE (auto → Binance or the simulator). */
export async function startStreamManager(deps: StreamManagerDeps): Promise<StreamManager> {
  const { config, bus, logger } = deps;
  const now = deps.now ?? Date.now;
  const publisher = new MarketPublisher(bus, 'stream-manager', now);
  const sources: MarketSource[] = [];
  let kind = config.source;
  let reason = 'MARKET_DATA_SOURCE=simulated';
  let fallback = false;
  const endpoints = await resolveBinanceEndpoints(config, logger);
  // the symbols served: SYMBOLS, plus every symbol a running strategy needs (learned from the commands)
  const symbols = [...config.symbols];
  if (kind === 'auto' || kind === 'binance') {
    const probe = await probeBinance(endpoints.restUrl, config.binanceProbeTimeoutMs);
    if (probe.ok) kind = 'binance';
    else if (kind === 'binance') {
      logger.error({ reason: probe.reason, url: endpoints.restUrl }, 'Binance is unreachable and MARKET_DATA_SOURCE=binance: no market data until it answers');
      reason = `Binance unreachable (${probe.reason})`;
      kind = 'binance';
    } else {
      reason = `Binance unreachable (${probe.reason}); MARKET_DATA_SOURCE=auto fell back to the built-in simulator and keeps probing Binance`;
      kind = 'simulated';
      fallback = true;
    }
  }
  // minutes of history a symbol gets on its first start: SIM_HISTORY_MINUTES, or more for a strategy's warm-up
  let historyMinutes = config.simHistoryMinutes;
  const startBinance = () =>
    // one combined-stream connection serves every symbol
    startBinanceSource({
      symbols: [...symbols],
      venue: endpoints.venue,
      wsUrl: endpoints.wsUrl,
      restUrl: endpoints.restUrl,
      publisher,
      logger,
      now,
      requestedSource: config.source,
      tradeStream: config.binanceTradeStream,
      historyMinutes,
      maxConnectionAgeMs: config.binanceMaxConnectionAgeMs,
      pingIntervalMs: config.binancePingIntervalMs,
      deadAfterMs: config.binanceDeadAfterMs,
    });
  const venueRest = new BinanceRestClient({ baseUrl: endpoints.restUrl, logger, timeoutMs: Math.max(config.binanceProbeTimeoutMs, 3_000), maxAttempts: 2 });
  // served whatever the strategies do: SYMBOLS, and the strategy files' symbols (started without a command)
  const alwaysServed = new Set(config.symbols);
  if (config.followStrategySymbols && kind !== 'replay') {
    // the strategy files the paper-trader starts on its own (config/): their symbols from the start
    for (const m of await configDirMarkets(config.configDir)) {
      alwaysServed.add(m.symbol);
      if (symbols.includes(m.symbol)) continue;
      if (kind === 'binance') {
        const listed = await venueRest.isListed(m.symbol).catch(() => true); // unreachable now: try it
        if (!listed) {
          logger.error({ file: m.strategyId, symbol: m.symbol, venue: endpoints.venue }, `market data: ${m.symbol} is not listed on ${BINANCE_ENDPOINTS[endpoints.venue].venue} (exchangeInfo); the strategy file's market is not served`);
          continue;
        }
      }
      symbols.push(m.symbol);
      historyMinutes = Math.max(historyMinutes, m.warmupMinutes + 1);
    }
  }
  if (kind === 'binance') sources.push(await startBinance());
  const replayFormat = kind === 'replay' ? (config.replayFormat === 'auto' ? await detectReplayFormat(config.replayFile!) : config.replayFormat) : 'klines';
  if (kind === 'replay' && replayFormat !== 'klines') {
    // a recorded session or trade CSV goes through the live client's parser, feeds and publisher
    sources.push(await startRecordedReplaySource({ file: config.replayFile!, format: replayFormat, symbols: config.symbols, speed: config.replaySpeed, publisher, logger }));
  }
  const startSimulated = (symbol: string, history = config.simHistoryMinutes) =>
    startSimulatedSource({
      symbol,
      // SYMBOLS keep their seeds (their markets are unchanged); any other symbol gets its own market
      seed: config.symbols.includes(symbol) ? config.simSeed + config.symbols.indexOf(symbol) * 7919 : config.simSeed + symbolSeed(symbol),
      speed: config.simSpeed,
      historyMinutes: history,
      stateDir: path.join(config.dataDir, 'market_data'),
      requestedSource: config.source,
      reasonMessage: reason,
      publisher,
      logger,
      now,
    });
  for (const symbol of kind === 'binance' || (kind === 'replay' && replayFormat !== 'klines') ? [] : kind === 'replay' ? config.symbols : symbols) {
    if (kind === 'replay') sources.push(await startReplaySource({ symbol, file: config.replayFile!, speed: config.replaySpeed, publisher, logger }));
    else sources.push(await startSimulated(symbol, config.symbols.includes(symbol) ? config.simHistoryMinutes : historyMinutes));
  }
  logger.info({ source: kind, requested: config.source, symbols: config.symbols }, 'stream-manager started');
  let closed = false;
  let resolveClosed!: () => void;
  const closedPromise = new Promise<void>((r) => (resolveClosed = r));
  // source changes (fallback → Binance, a new symbol) one at a time
  let changes: Promise<void> = Promise.resolve();
  const serially = (fn: () => Promise<void>): Promise<void> => {
    const run = changes.then(async () => (closed ? undefined : fn()));
    changes = run.catch(() => undefined); // a failed change does not block the next ones; the caller sees its error
    return run;
  };
  const replaceBinance = async (): Promise<void> => {
    const old = sources.splice(0, sources.length);
    await Promise.all(old.map((s) => s.stop()));
    if (!closed) sources.push(await startBinance());
  };
  // auto on the simulator: keep probing Binance and move to it as soon as it answers
  const prober = fallback
    ? startExchangeProber({
        what: endpoints.restUrl,
        logger,
        backoff: { baseMs: config.binanceReprobeBaseMs, maxMs: config.binanceReprobeMaxMs },
        probe: () => probeBinance(endpoints.restUrl, config.binanceProbeTimeoutMs),
        onAnswer: () =>
          serially(async () => {
            kind = 'binance';
            await replaceBinance();
            logger.info({ symbols, url: endpoints.restUrl }, 'Binance answers: market data moved from the simulator to Binance');
          }),
      })
    : null;
  /** a running strategy's symbol joins the served ones (or its start fails when the venue does not list it) */
  const provide = (m: StrategyMarket): Promise<void> =>
    serially(async () => {
      if (symbols.includes(m.symbol)) return;
      // a new symbol's history covers the strategy's warm-up (REST klines on Binance, generated on the simulator)
      const history = Math.max(config.simHistoryMinutes, m.warmupMinutes + 1);
      if (kind === 'replay') {
        logger.warn({ strategyId: m.strategyId, symbol: m.symbol, replayFile: config.replayFile }, 'a strategy needs a symbol the replay file does not hold: no market data for it');
        return;
      }
      if (kind === 'binance') {
        if ((m.exchange === 'binance' || m.exchange === 'binanceus') && m.exchange !== endpoints.venue) {
          logger.warn({ strategyId: m.strategyId, exchange: m.exchange, served: endpoints.venue }, 'a strategy names another Binance venue; one source serves the system');
        }
        if (!(await venueRest.isListed(m.symbol))) {
          const error = `market data: ${m.symbol} is not listed on ${BINANCE_ENDPOINTS[endpoints.venue].venue} (exchangeInfo); the strategy cannot run there`;
          logger.error({ strategyId: m.strategyId, symbol: m.symbol, venue: endpoints.venue }, error);
          await failStrategy(bus, m.strategyId, error, now());
          return;
        }
        symbols.push(m.symbol);
        historyMinutes = Math.max(historyMinutes, history); // feeds of symbols already on the bus continue after their last candle
        await replaceBinance();
      } else {
        symbols.push(m.symbol);
        sources.push(await startSimulated(m.symbol, history));
      }
      logger.info({ strategyId: m.strategyId, symbol: m.symbol, source: kind, historyMinutes: history }, 'market data now also for a symbol a strategy needs, with history for its warm-up');
    });
  /** no running strategy needs the symbol any more: it is no longer served (SYMBOLS and strategy files' symbols always are) */
  const release = (symbol: string): Promise<void> =>
    serially(async () => {
      if (alwaysServed.has(symbol) || !symbols.includes(symbol) || kind === 'replay') return;
      symbols.splice(symbols.indexOf(symbol), 1);
      if (kind === 'binance') {
        await replaceBinance(); // the combined stream without it
      } else {
        const i = sources.findIndex((s) => s.status().symbols.length === 1 && s.status().symbols[0] === symbol);
        if (i >= 0) await sources.splice(i, 1)[0]!.stop();
      }
      logger.info({ symbol, source: kind, served: symbols }, 'market data dropped for a symbol no running strategy needs');
    });
  const demand = config.followStrategySymbols ? await startStrategyDemand({ bus, logger, onStart: provide, onRelease: release }) : null;
  return {
    sources,
    // a fallback simulator may be replaced by Binance: done means closed then
    done: prober === null ? Promise.all(sources.map((s) => s.done)).then(() => undefined) : closedPromise,
    async close() {
      await demand?.stop();
      await prober?.stop();
      await changes;
      closed = true;
      await Promise.all(sources.map((s) => s.stop()));
      await publisher.close();
      resolveClosed();
    },
  };
}

/** A seed of its own per symbol (FNV-1a of the name), so a symbol's simulated market is the same on every start. */
export function symbolSeed(symbol: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 0x01000193) >>> 0;
  return h % 1_000_003;
}

/** Stops a strategy with an error the API and dashboard show (the same command path as a user's stop). */
async function failStrategy(bus: MessageBus, strategyId: string, error: string, t: number): Promise<void> {
  const env = makeEnvelope({ type: MessageType.strategyStop, id: `market-data-stop-${strategyId}-${t}`, source: 'stream-manager', tsEvent: t, tsInit: t, payload: { strategyId, reason: 'market-data', error } });
  await bus.publish(Streams.commands(), env, StreamRetention.commands);
}

/** kline CSV, trade CSV or recorded WebSocket session, judged by the name and the first line. */
export async function detectReplayFormat(file: string): Promise<'klines' | 'trades' | 'ws-session'> {
  if (/\.jsonl(\.gz)?$/.test(file)) return 'ws-session';
  for await (const line of readLines(file)) {
    const t = line.trim();
    if (t === '') continue;
    if (t.startsWith('{')) return 'ws-session';
    if (/^id,price,qty/i.test(t)) return 'trades';
    const cols = t.split(',');
    // trades: id,price,qty,…,time(ms),true|false — klines: open_time,open,high,low,close,volume,…
    if (cols.some((c) => /^(true|false)$/i.test(c.trim()))) return 'trades';
    return 'klines';
  }
  return 'klines';
}

/**
 * The Binance venue and its endpoints: BINANCE_VENUE when set, otherwise the strategies' `exchange`
 * field (Binance.US only when every strategy asks for it — one source serves the whole system);
 * BINANCE_WS_URL / BINANCE_REST_URL override the hosts.
 */
export async function resolveBinanceEndpoints(config: StreamManagerConfig, logger: Logger): Promise<{ venue: BinanceVenue; wsUrl: string; restUrl: string }> {
  let venue: BinanceVenue = config.binanceVenue === 'binanceus' ? 'binanceus' : 'binance';
  if (config.binanceVenue === 'strategies') {
    const wanted = await strategyExchanges(config.configDir);
    const binanceLike = [...wanted.keys()].filter((e) => e === 'binance' || e === 'binanceus');
    const others = [...wanted.keys()].filter((e) => e !== 'binance' && e !== 'binanceus');
    if (others.length > 0) logger.warn({ exchanges: others }, 'strategies name exchanges the stream-manager does not serve; they get Binance data');
    venue = binanceLike.length === 1 && binanceLike[0] === 'binanceus' ? 'binanceus' : 'binance';
    if (binanceLike.length > 1) logger.warn({ exchanges: Object.fromEntries(wanted) }, 'strategies ask for both Binance and Binance.US; one source serves the system: Binance');
  }
  return { venue, wsUrl: config.binanceWsUrl ?? BINANCE_ENDPOINTS[venue].wsUrl, restUrl: config.binanceRestUrl ?? BINANCE_ENDPOINTS[venue].restUrl };
}

/** the markets of the strategy files in the config directory (files that do not load are skipped) */
async function configDirMarkets(configDir: string): Promise<StrategyMarket[]> {
  let files: string[];
  try {
    files = (await fs.readdir(configDir)).filter((f) => /\.ya?ml$/i.test(f));
  } catch {
    return [];
  }
  const out: StrategyMarket[] = [];
  for (const f of files) {
    const text = await fs.readFile(path.join(configDir, f), 'utf8').catch(() => null);
    const m = text === null || text.trim() === '' ? null : marketOfStart({ strategyId: f.replace(/\.ya?ml$/i, ''), configName: f, configYaml: text });
    if (m !== null) out.push(m);
  }
  return out;
}

/** exchange id → strategy files naming it (files that do not load are skipped; the api-server reports them) */
async function strategyExchanges(configDir: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  let files: string[];
  try {
    files = (await fs.readdir(configDir)).filter((f) => /\.ya?ml$/i.test(f));
  } catch {
    return out;
  }
  for (const f of files) {
    try {
      const r = loadStrategyConfig(await fs.readFile(path.join(configDir, f), 'utf8'), f);
      if (!r.ok) continue;
      const ex = r.config.exchange.toLowerCase().replace(/[^a-z]/g, '');
      out.set(ex, [...(out.get(ex) ?? []), f]);
    } catch {
      // unreadable file: not ours to report
    }
  }
  return out;
}
