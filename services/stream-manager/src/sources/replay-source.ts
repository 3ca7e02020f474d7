import { createReadStream } from 'node:fs';
import readline from 'node:readline';
import type { MarketFeedStatusV1 } from '@btc-research/contracts';
import { parseKlineCsvLine } from '@btc-research/engine';
import type { Logger } from '@btc-research/platform';
import type { MarketPublisher } from '../market-publisher.js';
import type { MarketSource } from './market-source.js';

export interface ReplaySourceOptions {
  symbol: string;
  file: string;
  /** ×N market time per wall time; 0 = as fast as possible */
  speed: number;
  publisher: MarketPublisher;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Replays a Binance kline CSV (12- or 6-column) as closed 1m candles at ×N speed. A bad line is
 * reported with its line number and skipped; the replay goes on.
 */
export async function startReplaySource(o: ReplaySourceOptions): Promise<MarketSource> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let stopped = false;
  let state: MarketFeedStatusV1['state'] = 'live';
  let lastClose: number | null = null;
  let published = 0;
  let rejected = 0;
  const status = (): MarketFeedStatusV1 => ({
    source: 'replay',
    requestedSource: 'replay',
    isSimulated: false,
    state,
    circuit: 'closed',
    symbols: [o.symbol],
    lastCandleCloseTime: lastClose,
    lagMs: null,
    reconnects: 0,
    message: `replaying ${o.file} at ${o.speed === 0 ? 'maximum speed' : `×${o.speed}`} (${published} candles, ${rejected} bad lines)`,
  });
  await o.publisher.feedStatus(status());

  const run = async () => {
    const lines = readline.createInterface({ input: createReadStream(o.file, 'utf8'), crlfDelay: Infinity });
    let n = 0;
    let prevOpen: number | null = null;
    for await (const line of lines) {
      n += 1;
      if (stopped) break;
      let candle;
      try {
        candle = parseKlineCsvLine(line, n);
      } catch (err) {
        rejected += 1;
        if (rejected <= 5) o.logger.warn({ err: (err as Error).message, file: o.file }, 'replay: bad kline line skipped');
        continue;
      }
      if (candle === null) continue;
      if (prevOpen !== null && candle.openTime <= prevOpen) continue;
      if (o.speed > 0 && prevOpen !== null) await sleep((candle.openTime - prevOpen) / o.speed);
      // minutes the file does not have are a gap at the venue (the file is the venue's record)
      const isJump = prevOpen !== null && candle.openTime > prevOpen + 60_000;
      if (isJump) o.logger.warn({ symbol: o.symbol, from: new Date(prevOpen! + 60_000).toISOString(), minutes: (candle.openTime - prevOpen!) / 60_000 - 1 }, 'replay: the file has no candles for these minutes (a venue gap); published as such');
      prevOpen = candle.openTime;
      await o.publisher.candle('BINANCE', o.symbol, isJump ? { ...candle, venueGapConfirmedBy: 'file' } : candle, 'replay');
      lastClose = candle.closeTime;
      published += 1;
      if (published % 1000 === 0) await o.publisher.feedStatus(status());
    }
    state = 'stopped';
    await o.publisher.feedStatus(status());
    o.logger.info({ published, rejected, file: o.file }, 'replay finished');
  };
  const done = run();
  return {
    name: 'replay',
    status,
    done,
    async stop() {
      stopped = true;
      await done;
    },
  };
}
