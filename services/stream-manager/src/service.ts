import path from 'node:path';
import type { Logger, MessageBus } from '@btc-research/platform';
import type { StreamManagerConfig } from './config.js';
import { MarketPublisher } from './market-publisher.js';
import { startBinanceSource } from './binance/binance-source.js';
import { probeBinance } from './sources/binance-rest-source.js';
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
  sources: MarketSource[];
  /** resolves when every source has finished (replay) or was stopped */
  done: Promise<void>;
  close(): Promise<void>;
}

/** Starts one market-data source per symbol, chosen by MARKET_DATA_SOURCE (auto → Binance or the simulator). */
export async function startStreamManager(deps: StreamManagerDeps): Promise<StreamManager> {
  const { config, bus, logger } = deps;
  const now = deps.now ?? Date.now;
  const publisher = new MarketPublisher(bus, 'stream-manager', now, 1000, { redisUrl: config.redisUrl });
  const sources: MarketSource[] = [];
  let kind = config.source;
  let reason = 'MARKET_DATA_SOURCE=simulated';
  if (kind === 'auto' || kind === 'binance') {
    const probe = await probeBinance(config.binanceRestUrl, config.binanceProbeTimeoutMs);
    if (probe.ok) kind = 'binance';
    else if (kind === 'binance') {
      logger.error({ reason: probe.reason, url: config.binanceRestUrl }, 'Binance is unreachable and MARKET_DATA_SOURCE=binance: no market data until it answers');
      reason = `Binance unreachable (${probe.reason})`;
      kind = 'binance';
    } else {
      reason = `Binance unreachable (${probe.reason}); MARKET_DATA_SOURCE=auto fell back to the built-in simulator`;
      kind = 'simulated';
    }
  }
  if (kind === 'binance') {
    // one combined-stream connection serves every symbol
    sources.push(
      await startBinanceSource({
        symbols: config.symbols,
        venue: config.binanceVenue,
        wsUrl: config.binanceWsUrl,
        restUrl: config.binanceRestUrl,
        publisher,
        logger,
        now,
        requestedSource: config.source,
        tradeStream: config.binanceTradeStream,
        historyMinutes: config.simHistoryMinutes,
        maxConnectionAgeMs: config.binanceMaxConnectionAgeMs,
        pingIntervalMs: config.binancePingIntervalMs,
        deadAfterMs: config.binanceDeadAfterMs,
      }),
    );
  }
  const replayFormat = kind === 'replay' ? (config.replayFormat === 'auto' ? await detectReplayFormat(config.replayFile!) : config.replayFormat) : 'klines';
  if (kind === 'replay' && replayFormat !== 'klines') {
    // a recorded session or trade CSV goes through the live client's parser, feeds and publisher
    sources.push(await startRecordedReplaySource({ file: config.replayFile!, format: replayFormat, symbols: config.symbols, speed: config.replaySpeed, publisher, logger }));
  }
  for (const symbol of kind === 'binance' || (kind === 'replay' && replayFormat !== 'klines') ? [] : config.symbols) {
    if (kind === 'replay') {
      sources.push(await startReplaySource({ symbol, file: config.replayFile!, speed: config.replaySpeed, publisher, logger }));
    } else {
      sources.push(
        await startSimulatedSource({
          symbol,
          // the first symbol keeps SIM_SEED (its market is unchanged); others get their own market
          seed: config.simSeed + config.symbols.indexOf(symbol) * 7919,
          speed: config.simSpeed,
          historyMinutes: config.simHistoryMinutes,
          stateDir: path.join(config.dataDir, 'market_data'),
          requestedSource: config.source,
          reasonMessage: reason,
          publisher,
          logger,
          now,
        }),
      );
    }
  }
  logger.info({ source: kind, requested: config.source, symbols: config.symbols }, 'stream-manager started');
  return {
    sources,
    done: Promise.all(sources.map((s) => s.done)).then(() => undefined),
    async close() {
      await Promise.all(sources.map((s) => s.stop()));
      await publisher.close();
    },
  };
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
