import { FakeBinanceServer, type FakeBinanceOptions } from '@btc-research/binance/testing';
import { afterAll, afterEach } from 'vitest';
import { startBinanceSource, type BinanceSource, type BinanceSourceOptions } from '../../services/stream-manager/src/binance/binance-source.js';
import { MarketPublisher } from '../../services/stream-manager/src/market-publisher.js';
import { deleteSymbolKeys, quietLogger, testBus, uniqueSymbol } from './support.js';

/** A live Binance source of one fresh symbol, publishing to the file's bus, against a local exchange. */
export interface LiveFeed {
  symbol: string;
  srv: FakeBinanceServer;
  src: BinanceSource;
  /** when the source was started (epoch ms) */
  startedAt: number;
}

/** The source's timings and limits; what it connects to and publishes with is the feed's. */
export type SourceTuning = Omit<BinanceSourceOptions, 'symbols' | 'venue' | 'wsUrl' | 'restUrl' | 'publisher' | 'logger' | 'requestedSource'>;

/**
 * The file's Redis bus and the live feeds its tests start. Each test's feed is stopped after it
 * (source, publisher, then the exchange); the symbols used are deleted and the bus closed after the file.
 */
export function liveFeeds() {
  const bus = testBus();
  const used: string[] = [];
  let stops: Array<() => Promise<void>> = [];

  afterEach(async () => {
    for (const stop of stops) await stop();
    stops = [];
  });
  afterAll(async () => {
    await deleteSymbolKeys(used);
    await bus.close();
  });

  async function start(o: { symbolPrefix: string; exchange: Omit<FakeBinanceOptions, 'symbols'>; publisherName: string; source: SourceTuning }): Promise<LiveFeed> {
    const symbol = uniqueSymbol(o.symbolPrefix);
    used.push(symbol);
    const srv = await FakeBinanceServer.start({ ...o.exchange, symbols: [symbol] });
    const publisher = new MarketPublisher(bus, o.publisherName, Date.now);
    const startedAt = Date.now();
    const src = await startBinanceSource({
      ...o.source,
      symbols: [symbol],
      venue: 'binance',
      wsUrl: srv.wsUrl,
      restUrl: srv.url,
      publisher,
      logger: quietLogger(),
      requestedSource: 'binance',
    });
    stops = [() => src.stop(), () => publisher.close(), () => srv.close()];
    return { symbol, srv, src, startedAt };
  }

  return { bus, start };
}
