import fs from 'node:fs/promises';
import path from 'node:path';
import { BINANCE_ENDPOINTS, BinanceRestClient, type BinanceVenue } from '@btc-research/binance';
import { MessageType, StreamRetention, Streams, makeEnvelope } from '@btc-research/contracts';
import type { Logger, MessageBus } from '@btc-research/platform';
import { startBinanceSource } from './binance/binance-source.js';
import type { SourceKind, StreamManagerConfig } from './config.js';
import type { MarketPublisher } from './market-publisher.js';
import type { MarketSource } from './sources/market-source.js';
import { readLines, startRecordedReplaySource } from './sources/recorded-replay.js';
import { startReplaySource } from './sources/replay-source.js';
import { startSimulatedSource } from './sources/simulated-source.js';
import { marketOfStart, type StrategyMarket } from './strategy-demand.js';
import { WarmupHistories } from './warmup-history.js';

export interface MarketSourcesOptions {
  config: StreamManagerConfig;
  endpoints: { venue: BinanceVenue; wsUrl: string; restUrl: string };
  /** the source chosen at start (auto resolved to binance or simulated) */
  kind: SourceKind;
  /** why the simulator runs, shown in its feed status */
  reason: string;
  publisher: MarketPublisher;
  bus: MessageBus;
  logger: Logger;
  now: () => number;
}

/**
 * The running market-data sources and the symbols they serve: SYMBOLS, the strategy files'
 * symbols, and every symbol a started strategy needs. Changes (the fallback simulator replaced by
 * Binance, a new symbol) run one at a time.
 */
export class MarketSources {
  readonly sources: MarketSource[] = [];
  /** the symbols served: SYMBOLS, plus every symbol a running strategy needs (learned from the commands) */
  readonly symbols: string[];
  /** served whatever the strategies do: SYMBOLS, and the strategy files' symbols (no command announces those strategies) */
  private readonly alwaysServed: Set<string>;
  kind: SourceKind;
  /** minutes of history a symbol gets on its first start: SIM_HISTORY_MINUTES, or more for a strategy's warm-up */
  private historyMinutes: number;
  private readonly venueRest: BinanceRestClient;
  private readonly warmups: WarmupHistories;
  private changes: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly o: MarketSourcesOptions) {
    this.symbols = [...o.config.symbols];
    this.alwaysServed = new Set(o.config.symbols);
    this.kind = o.kind;
    this.historyMinutes = o.config.simHistoryMinutes;
    this.venueRest = new BinanceRestClient({ baseUrl: o.endpoints.restUrl, logger: o.logger, timeoutMs: Math.max(o.config.binanceProbeTimeoutMs, 3_000), maxAttempts: 2 });
    this.warmups = new WarmupHistories({ bus: o.bus, logger: o.logger, now: o.now, rest: this.venueRest, seedOf: (symbol) => this.seedOf(symbol) });
  }

  /** Starts the sources of the chosen kind: Binance for every symbol, a replay file, or one simulator per symbol. */
  async start(): Promise<void> {
    const { config } = this.o;
    const kind = this.kind;
    if (config.followStrategySymbols && kind !== 'replay') await this.addStrategyFileSymbols();
    if (kind === 'binance') this.sources.push(await this.startBinance());
    const replayFormat = kind === 'replay' ? (config.replayFormat === 'auto' ? await detectReplayFormat(config.replayFile!) : config.replayFormat) : 'klines';
    if (kind === 'replay' && replayFormat !== 'klines') {
      // a recorded session or trade CSV goes through the live client's parser, feeds and publisher
      this.sources.push(await startRecordedReplaySource({ file: config.replayFile!, format: replayFormat, symbols: config.symbols, speed: config.replaySpeed, publisher: this.o.publisher, logger: this.o.logger }));
    }
    for (const symbol of kind === 'binance' || (kind === 'replay' && replayFormat !== 'klines') ? [] : kind === 'replay' ? config.symbols : this.symbols) {
      if (kind === 'replay') this.sources.push(await startReplaySource({ symbol, file: config.replayFile!, speed: config.replaySpeed, publisher: this.o.publisher, logger: this.o.logger }));
      else this.sources.push(await this.startSimulated(symbol, config.symbols.includes(symbol) ? config.simHistoryMinutes : this.historyMinutes));
    }
  }

  /** auto on the simulator: Binance answers, so market data moves to it */
  moveToBinance(): Promise<void> {
    return this.serially(async () => {
      this.kind = 'binance';
      await this.replaceBinance();
      this.o.logger.info({ symbols: this.symbols, url: this.o.endpoints.restUrl }, 'Binance answers: market data moved from the simulator to Binance');
    });
  }

  /** a running strategy's symbol joins the served ones (or its start fails when the venue does not list it) */
  provide(m: StrategyMarket): Promise<void> {
    return this.serially(async () => {
      const { config, logger } = this.o;
      if (this.symbols.includes(m.symbol)) {
        // served already: its market log may hold less than the strategy's warm-up, so it gets older candles of its own
        if (this.kind === 'binance') await this.warmups.provide(m, 'binance', this.o.endpoints.venue === 'binanceus' ? 'BINANCEUS' : 'BINANCE');
        else if (this.kind === 'simulated') await this.warmups.provide(m, 'simulated', 'SIMULATED');
        return;
      }
      // a new symbol's history covers the strategy's warm-up (REST klines on Binance, generated on the simulator)
      const history = Math.max(config.simHistoryMinutes, m.warmupMinutes + 1);
      if (this.kind === 'replay') {
        logger.warn({ strategyId: m.strategyId, symbol: m.symbol, replayFile: config.replayFile }, 'a strategy needs a symbol the replay file does not hold: no market data for it');
        return;
      }
      if (this.kind === 'binance') {
        if (!(await this.provideOnBinance(m, history))) return;
      } else {
        this.symbols.push(m.symbol);
        this.sources.push(await this.startSimulated(m.symbol, history));
      }
      logger.info({ strategyId: m.strategyId, symbol: m.symbol, source: this.kind, historyMinutes: history }, 'market data now also for a symbol a strategy needs, with history for its warm-up');
    });
  }

  /**
   * No running strategy needs the symbol any more: it is no longer served — on Binance the combined
   * stream is reopened without it, on the simulator its market stops (SYMBOLS and the strategy files'
   * symbols always stay).
   */
  release(symbol: string): Promise<void> {
    return this.serially(async () => {
      if (this.alwaysServed.has(symbol) || !this.symbols.includes(symbol) || this.kind === 'replay') return;
      this.symbols.splice(this.symbols.indexOf(symbol), 1);
      if (this.kind === 'binance') {
        await this.replaceBinance();
      } else {
        const i = this.sources.findIndex((s) => s.status().symbols.length === 1 && s.status().symbols[0] === symbol);
        if (i >= 0) await this.sources.splice(i, 1)[0]!.stop();
      }
      this.o.logger.info({ symbol, source: this.kind, served: this.symbols }, 'market data dropped for a symbol no running strategy needs');
    });
  }

  /** Waits for the change under way, then stops every source; later changes do nothing. */
  async close(): Promise<void> {
    await this.changes;
    this.closed = true;
    await Promise.all(this.sources.map((s) => s.stop()));
  }

  /** the strategy files the paper-trader starts on its own (config/): their symbols from the start */
  private async addStrategyFileSymbols(): Promise<void> {
    const { endpoints, logger } = this.o;
    for (const m of await configDirMarkets(this.o.config.configDir)) {
      this.alwaysServed.add(m.symbol);
      if (this.symbols.includes(m.symbol)) continue;
      if (this.kind === 'binance') {
        const listed = await this.venueRest.isListed(m.symbol).catch(() => true); // unreachable now: try it
        if (!listed) {
          logger.error({ file: m.strategyId, symbol: m.symbol, venue: endpoints.venue }, `market data: ${m.symbol} is not listed on ${BINANCE_ENDPOINTS[endpoints.venue].venue} (exchangeInfo); the strategy file's market is not served`);
          continue;
        }
      }
      this.symbols.push(m.symbol);
      this.historyMinutes = Math.max(this.historyMinutes, m.warmupMinutes + 1);
    }
  }

  /** false when the venue does not list the symbol: the strategy is failed with the reason */
  private async provideOnBinance(m: StrategyMarket, history: number): Promise<boolean> {
    const { endpoints, logger } = this.o;
    if ((m.exchange === 'binance' || m.exchange === 'binanceus') && m.exchange !== endpoints.venue) {
      logger.warn({ strategyId: m.strategyId, exchange: m.exchange, served: endpoints.venue }, 'a strategy names another Binance venue; one source serves the system');
    }
    if (!(await this.venueRest.isListed(m.symbol))) {
      const error = `market data: ${m.symbol} is not listed on ${BINANCE_ENDPOINTS[endpoints.venue].venue} (exchangeInfo); the strategy cannot run there`;
      logger.error({ strategyId: m.strategyId, symbol: m.symbol, venue: endpoints.venue }, error);
      await failStrategy(this.o.bus, m.strategyId, error, this.o.now());
      return false;
    }
    this.symbols.push(m.symbol);
    this.historyMinutes = Math.max(this.historyMinutes, history); // feeds of symbols already on the bus continue after their last candle
    await this.replaceBinance();
    return true;
  }

  /** source changes (fallback → Binance, a new symbol) one at a time */
  private serially(fn: () => Promise<void>): Promise<void> {
    const run = this.changes.then(async () => (this.closed ? undefined : fn()));
    this.changes = run.catch(() => undefined); // a failed change does not block the next ones; the caller sees its error
    return run;
  }

  private async replaceBinance(): Promise<void> {
    const old = this.sources.splice(0, this.sources.length);
    await Promise.all(old.map((s) => s.stop()));
    if (!this.closed) this.sources.push(await this.startBinance());
  }

  /** one combined-stream connection serves every symbol */
  private startBinance(): Promise<MarketSource> {
    const { config, endpoints } = this.o;
    return startBinanceSource({
      symbols: [...this.symbols],
      venue: endpoints.venue,
      wsUrl: endpoints.wsUrl,
      restUrl: endpoints.restUrl,
      publisher: this.o.publisher,
      logger: this.o.logger,
      now: this.o.now,
      requestedSource: config.source,
      tradeStream: config.binanceTradeStream,
      historyMinutes: this.historyMinutes,
      maxConnectionAgeMs: config.binanceMaxConnectionAgeMs,
      pingIntervalMs: config.binancePingIntervalMs,
      deadAfterMs: config.binanceDeadAfterMs,
    });
  }

  /** SYMBOLS keep their seeds (their markets are unchanged); any other symbol gets its own market */
  private seedOf(symbol: string): number {
    const { config } = this.o;
    return config.symbols.includes(symbol) ? config.simSeed + config.symbols.indexOf(symbol) * 7919 : config.simSeed + symbolSeed(symbol);
  }

  private startSimulated(symbol: string, history: number): Promise<MarketSource> {
    const { config } = this.o;
    return startSimulatedSource({
      symbol,
      seed: this.seedOf(symbol),
      speed: config.simSpeed,
      historyMinutes: history,
      stateDir: path.join(config.dataDir, 'market_data'),
      requestedSource: config.source,
      reasonMessage: this.o.reason,
      publisher: this.o.publisher,
      logger: this.o.logger,
      now: this.o.now,
    });
  }
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
