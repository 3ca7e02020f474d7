import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Streams, type MarketCandleClosedV1 } from '@btc-research/contracts';
import { InProcessBus, createLogger } from '@btc-research/platform';
import { describe, expect, it } from 'vitest';
import { MarketPublisher } from '../market-publisher.js';
import { startReplaySource } from './replay-source.js';

const logger = createLogger('replay-test', { level: 'silent' });

describe('replay of a kline file', () => {
  it('publishes the minutes the file lacks as a venue gap (venueGapBefore, confirmedBy file) on the candle after them', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'replay-gap-'));
    const t0 = Date.UTC(2023, 2, 24, 12, 37);
    const row = (i: number) => `${t0 + i * 60_000},100,101,99,100.5,2`;
    // minutes 0..2, then an 80-minute halt (as Binance spot on 2023-03-24), then minutes 83..84
    await fs.writeFile(path.join(dir, 'k.csv'), ['open_time,open,high,low,close,volume', row(0), row(1), row(2), row(83), row(84)].join('\n'));
    const bus = new InProcessBus({ logger });
    const publisher = new MarketPublisher(bus, 'test', () => 0);
    const source = await startReplaySource({ symbol: 'BTCUSDT', file: path.join(dir, 'k.csv'), speed: 0, publisher, logger });
    await source.done;
    const candles = (await bus.read(Streams.candles('BTCUSDT'), '0', 100)).map((e) => e.envelope.payload as MarketCandleClosedV1);
    expect(candles.map((c) => (c.openTime - t0) / 60_000)).toEqual([0, 1, 2, 83, 84]);
    expect(candles.map((c) => c.venueGapBefore ?? null)).toEqual([null, null, null, { fromOpenTime: t0 + 3 * 60_000, minutes: 80, confirmedBy: 'file' }, null]);
    await bus.close();
    await fs.rm(dir, { recursive: true, force: true });
  });
});
