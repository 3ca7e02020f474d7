import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrategyStatusResponse } from '@btc-research/contracts';
import { indicatorRegistry } from '@btc-research/engine';
import { createHarness, redisUrlFor, RedisDb, strategyRecord, type Harness } from '../../test-support/harness.js';
import { slowWarmupYaml } from '../../test-support/fixtures.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 7, 0, 0, 0);
// a multi-day warm-up: EMA 50 on 1h needs about two days; RSI 14 on 5m about an hour
const SLOW_YAML = slowWarmupYaml({ entry: '5m', trend: '1h' });

let h: Harness;
beforeAll(async () => {
  h = await createHarness(redisUrlFor(RedisDb.shared));
});
afterAll(async () => h?.close());

function warmupBarsOf(type: string, params: Record<string, unknown>): number {
  const def = indicatorRegistry.get(type)!;
  const parsed = def.parseParams(params);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return def.create(parsed.params).warmupBars;
}

describe('GET /api/v1/strategies/:id/status warm-up progress', () => {
  it('counts the closed bars each indicator has seen against what it needs, with an ETA', async () => {
    const id = `warm-${Date.now().toString(36)}`;
    const symbol = `WARM${Date.now().toString(36).toUpperCase()}USDT`;
    await h.store.upsertStrategy(strategyRecord(id, { configYaml: SLOW_YAML, configName: 'slow.yaml', symbol, status: 'warming-up' }));
    const minutes = 10 * 60 + 30; // ten and a half hours of candles in the stored market log
    await h.store.appendMarketEvents(
      symbol,
      Array.from({ length: minutes }, (_, i) => {
        const openTime = T0 + i * 60_000;
        return { kind: 'candle' as const, time: openTime + 60_000, sourceId: `candle:${openTime}`, data: { openTime, closeTime: openTime + 60_000, open: '100', high: '101', low: '99', close: '100.5', volume: '1', origin: 'simulated' } };
      }),
    );
    const lastClose = T0 + minutes * 60_000;
    await h.store.saveState({ strategyId: id, time: lastClose, cash: '10000', equity: '10000', positionQty: '0', avgEntryPrice: '0', realizedPnl: '0', unrealizedPnl: '0', feesPaid: '0', lastPrice: '100.5', lastCandleCloseTime: lastClose, tradeCount: 0, core: null });

    const res = await h.app.inject({ url: `/api/v1/strategies/${id}/status` });
    expect(res.statusCode, res.body).toBe(200);
    const w = StrategyStatusResponse.parse(res.json()).warmup!;
    const emaNeeds = warmupBarsOf('EMA', { length: 50 });
    const rsiNeeds = warmupBarsOf('RSI', { length: 14 });
    expect(emaNeeds).toBeGreaterThan(10);
    const ema = w.indicators.find((i) => i.id === 'EMA_50')!;
    const rsi = w.indicators.find((i) => i.id === 'RSI_14')!;
    // ten whole hours closed; the eleventh is half way
    expect(ema).toMatchObject({ timeframe: '1h', barsReady: 10, barsNeeded: emaNeeds, ready: false, gatesSignals: true });
    expect(ema.etaMs).toBe((emaNeeds - 10) * HOUR - 30 * 60_000);
    expect(rsi).toMatchObject({ timeframe: '5m', barsReady: rsiNeeds, barsNeeded: rsiNeeds, ready: true, etaMs: 0 });
    expect(w).toMatchObject({ ready: false, lastCandleCloseTime: lastClose, etaMs: ema.etaMs, readyAt: lastClose + ema.etaMs });
    expect(w.totalMinutes).toBeGreaterThan(emaNeeds * 60);

    // a strategy that has processed nothing yet has seen no bars
    const fresh = `${id}-new`;
    await h.store.upsertStrategy(strategyRecord(fresh, { configYaml: SLOW_YAML, configName: 'slow.yaml', symbol, status: 'starting' }));
    const w2 = StrategyStatusResponse.parse((await h.app.inject({ url: `/api/v1/strategies/${fresh}/status` })).json()).warmup!;
    expect(w2.indicators.map((i) => i.barsReady)).toEqual([0, 0]);
    expect(w2.ready).toBe(false);
  });
});
