import fs from 'node:fs/promises';
import path from 'node:path';
import { BINANCE_ENDPOINTS, probeBinance, type BinanceVenue } from '@btc-research/binance';
import { loadStrategyConfig } from '@btc-research/engine';
import type { Logger, MessageBus } from '@btc-research/platform';
import type { SourceKind, StreamManagerConfig } from './config.js';
import { startExchangeProber } from './exchange-prober.js';
import { MarketPublisher } from './market-publisher.js';
import { MarketSources } from './market-sources.js';
import type { MarketSource } from './sources/market-source.js';
import { startStrategyDemand } from './strategy-demand.js';

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
  const endpoints = await resolveBinanceEndpoints(config, logger);
  const choice = await chooseSource(config, endpoints.restUrl, logger);
  const markets = new MarketSources({ config, endpoints, kind: choice.kind, reason: choice.reason, publisher, bus, logger, now });
  await markets.start();
  logger.info({ source: markets.kind, requested: config.source, symbols: config.symbols }, 'stream-manager started');
  let resolveClosed!: () => void;
  const closedPromise = new Promise<void>((r) => (resolveClosed = r));
  // auto on the simulator: keep probing Binance and move to it as soon as it answers
  const prober = choice.fallback
    ? startExchangeProber({
        what: endpoints.restUrl,
        logger,
        backoff: { baseMs: config.binanceReprobeBaseMs, maxMs: config.binanceReprobeMaxMs },
        probe: () => probeBinance(endpoints.restUrl, config.binanceProbeTimeoutMs),
        onAnswer: () => markets.moveToBinance(),
      })
    : null;
  const demand = config.followStrategySymbols ? await startStrategyDemand({ bus, logger, onStart: (m) => markets.provide(m), onRelease: (symbol) => markets.release(symbol) }) : null;
  return {
    sources: markets.sources,
    // a fallback simulator may be replaced by Binance: done means closed then
    done: prober === null ? Promise.all(markets.sources.map((s) => s.done)).then(() => undefined) : closedPromise,
    async close() {
      await demand?.stop();
      await prober?.stop();
      await markets.close();
      await publisher.close();
      resolveClosed();
    },
  };
}

interface SourceChoice {
  /** binance, simulated or replay (auto resolved) */
  kind: SourceKind;
  /** why the simulator runs, for its feed status */
  reason: string;
  /** auto fell back to the simulator: keep probing Binance */
  fallback: boolean;
}

/** MARKET_DATA_SOURCE resolved: auto → Binance when it answers a probe, else the simulator (which keeps probing). */
async function chooseSource(config: StreamManagerConfig, restUrl: string, logger: Logger): Promise<SourceChoice> {
  if (config.source !== 'auto' && config.source !== 'binance') return { kind: config.source, reason: 'MARKET_DATA_SOURCE=simulated', fallback: false };
  const probe = await probeBinance(restUrl, config.binanceProbeTimeoutMs);
  if (probe.ok) return { kind: 'binance', reason: 'MARKET_DATA_SOURCE=simulated', fallback: false };
  if (config.source === 'binance') {
    logger.error({ reason: probe.reason, url: restUrl }, 'Binance is unreachable and MARKET_DATA_SOURCE=binance: no market data until it answers');
    return { kind: 'binance', reason: `Binance unreachable (${probe.reason})`, fallback: false };
  }
  return { kind: 'simulated', reason: `Binance unreachable (${probe.reason}); MARKET_DATA_SOURCE=auto fell back to the built-in simulator and keeps probing Binance`, fallback: true };
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
