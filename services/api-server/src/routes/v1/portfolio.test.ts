import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortfolioResponse } from '@btc-research/contracts';
import type { StrategyState } from '@btc-research/platform';
import { createHarness, redisUrlFor, RedisDb, strategyRecord, type Harness } from '../../test-support/harness.js';

const REDIS_URL = redisUrlFor(RedisDb.shared);
const H = 3_600_000;
/** 2023-11-14 00:00 UTC */
const D0 = 1_699_920_000_000;
const D1 = D0 + 24 * H;
const D2 = D1 + 24 * H;

function state(id: string, time: number, equity: string): StrategyState {
  return { strategyId: id, time, cash: equity, equity, positionQty: '0', avgEntryPrice: '0', realizedPnl: '0', unrealizedPnl: '0', feesPaid: '0', lastPrice: null, lastCandleCloseTime: time, tradeCount: 0, core: null };
}

describe.each(['json', 'postgres'] as const)('GET /api/v1/portfolio over the %s store', (storeKind) => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness(REDIS_URL, { storeKind });
    // A: 10,000 from D0 01:00; B: 5,000 from D1 10:00 (each its own account)
    await h.store.upsertStrategy(strategyRecord('pf-a', { initialCash: '10000', createdAt: D0 + H }));
    await h.store.appendEquity('pf-a', [
      { time: D0 + 2 * H, equity: '10010' },
      { time: D0 + 23 * H, equity: '10020' },
      { time: D1 + 5 * H, equity: '9990' },
      { time: D2 + H, equity: '10050' },
    ]);
    await h.store.saveState(state('pf-a', D2 + H, '10050'));
    await h.store.upsertStrategy(strategyRecord('pf-b', { initialCash: '5000', createdAt: D1 + 10 * H }));
    await h.store.appendEquity('pf-b', [
      { time: D1 + 11 * H, equity: '5005' },
      { time: D2 + 3 * H, equity: '4995' },
    ]);
    await h.store.saveState(state('pf-b', D2 + 3 * H, '4995'));
  });
  afterAll(async () => h.close());

  it('adds up the strategies and gives each market day’s profit, today marked partial', async () => {
    const res = await h.app.inject({ url: '/api/v1/portfolio?days=5' });
    expect(res.statusCode).toBe(200);
    const body = PortfolioResponse.parse(res.json());
    expect(body.totals).toEqual({ strategies: 2, live: 2, initialCash: '15000', equity: '15045', pnl: '45', pnlPct: 0.3 });
    // D0: A 10,020 − its initial 10,000; D1: A 9,990 − 10,020, B 5,005 − its initial 5,000;
    // D2: A 10,050 − 9,990, B 4,995 − 5,005. The days add up to the total PnL.
    expect(body.daily.map((d) => [d.day, d.pnl, d.strategies, d.isPartial])).toEqual([
      ['2023-11-14', '20', 1, false],
      ['2023-11-15', '-25', 2, false],
      ['2023-11-16', '50', 2, true],
    ]);
    expect(body.daily[1]!.pnlPct).toBeCloseTo((-25 / 15_020) * 100, 5);
    expect(body.daily[2]!.pnlPct).toBeCloseTo((50 / 14_995) * 100, 5);
    expect(body.note).toContain('own simulated account');
  });

  it('keeps to the days asked for, and refuses a bad count', async () => {
    const body = PortfolioResponse.parse((await h.app.inject({ url: '/api/v1/portfolio?days=1' })).json());
    expect(body.daily.map((d) => d.day)).toEqual(['2023-11-16']);
    const bad = await h.app.inject({ url: '/api/v1/portfolio?days=0' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/days/);
  });
});
