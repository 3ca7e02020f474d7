import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus, JsonStrategyStore, createLogger } from '@btc-research/platform';
import { CandleHistory } from './candle-history.js';

const T0 = Date.UTC(2026, 0, 1);
const minute = (i: number) => {
  const openTime = T0 + i * 60_000;
  return { kind: 'candle' as const, time: openTime + 60_000, sourceId: `candle:${openTime}`, data: { openTime, closeTime: openTime + 60_000, open: '1', high: '2', low: '0.5', close: String(1 + i), volume: '1', origin: 'simulated' } };
};

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('CandleHistory', () => {
  it('follows the stored market log from where it stopped, keeps the newest maxCandles, and skips other inputs', async () => {
    dir = await mkdtemp(join(tmpdir(), 'candle-history-'));
    const store = new JsonStrategyStore({ dataDir: dir });
    const bus = new InProcessBus({ logger: createLogger('t', { level: 'silent' }) });
    let now = 0;
    const h = new CandleHistory({ store, bus, now: () => now, refreshMs: 1_000, maxCandles: 5 });
    await store.appendMarketEvents('BTCUSDT', [...Array.from({ length: 8 }, (_, i) => minute(i)), { kind: 'book', time: T0 + 1, sourceId: 'book:1', data: { bids: [], asks: [] } }]);
    const first = await h.candles('BTCUSDT');
    expect(first.candles.map((c) => c.close)).toEqual(['4', '5', '6', '7', '8']);
    await store.appendMarketEvents('BTCUSDT', [minute(8), minute(9)]);
    // within refreshMs the same answer, after it the new candles
    expect((await h.candles('BTCUSDT')).candles.at(-1)!.close).toBe('8');
    now = 1_000;
    const later = await h.candles('BTCUSDT');
    expect(later.candles.map((c) => c.close)).toEqual(['6', '7', '8', '9', '10']);
    expect(later.version).toBeGreaterThan(first.version);
    // nothing new: the same version (computed series stay cached)
    now = 2_000;
    expect((await h.candles('BTCUSDT')).version).toBe(later.version);
    await bus.close();
    await store.close();
  });
});
