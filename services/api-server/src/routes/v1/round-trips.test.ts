import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoundTripsResponse, StrategyStatsResponse } from '@btc-research/contracts';
import { createHarness, fill, redisUrlFor, RedisDb, strategyRecord, type Harness } from '../../test-support/harness.js';

const REDIS_URL = redisUrlFor(RedisDb.shared);
const MIN = 60_000;
const T = 1_700_000_000_000;

describe.each(['json', 'postgres'] as const)('round trips and honest statistics over the %s store', (storeKind) => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness(REDIS_URL, { storeKind });
    await h.store.upsertStrategy(strategyRecord('rt'));
    await h.store.appendTrades('rt', [
      // a winner before fees that loses after them: +1.00 gross, 1.50 fees
      fill('rt', 1, { side: 'buy', quantity: '0.01', price: '100000', fee: '0.75', realizedPnl: '0', reason: 'entry: rsi < 30', time: T }),
      fill('rt', 2, { side: 'sell', quantity: '0.01', price: '100100', fee: '0.75', realizedPnl: '1', reason: 'exit: rsi > 70', time: T + 5 * MIN }),
      // a short that wins after fees: +20.00 gross, 2.00 fees
      fill('rt', 3, { side: 'sell', quantity: '0.02', price: '100000', fee: '1', realizedPnl: '0', reason: 'entry: breakdown', time: T + 10 * MIN }),
      fill('rt', 4, { side: 'buy', quantity: '0.02', price: '99000', fee: '1', realizedPnl: '20', reason: 'forced exit', time: T + 70 * MIN }),
      // still open
      fill('rt', 5, { side: 'buy', quantity: '0.01', price: '99500', fee: '0.5', realizedPnl: '0', reason: 'entry: rsi < 30', time: T + 80 * MIN }),
    ]);
    await h.store.appendEquity('rt', [
      { time: T, equity: '10000' },
      { time: T + 80 * MIN, equity: '10016.5' },
    ]);
  });
  afterAll(async () => h.close());

  it('lists closed round trips newest first with gross and net PnL, fees, profit % and both reasons', async () => {
    const res = await h.app.inject({ url: '/api/v1/strategies/rt/round-trips' });
    expect(res.statusCode).toBe(200);
    const body = RoundTripsResponse.parse(res.json());
    expect(body.total).toBe(2);
    expect(body.hasOpenPosition).toBe(true);
    expect(body.items.map((t) => [t.side, t.grossPnl, t.fees, t.netPnl, t.durationMs, t.entryReason, t.exitReason])).toEqual([
      ['short', '20', '2', '18', 60 * MIN, 'entry: breakdown', 'forced exit'],
      ['long', '1', '1.5', '-0.5', 5 * MIN, 'entry: rsi < 30', 'exit: rsi > 70'],
    ]);
    // net PnL over what was put in at entry: 18 / (0.02 × 100,000) and −0.5 / (0.01 × 100,000)
    expect(body.items[0]!.profitPct).toBeCloseTo(0.9, 10);
    expect(body.items[1]!.profitPct).toBeCloseTo(-0.05, 10);
    expect((await h.app.inject({ url: '/api/v1/strategies/nope/round-trips' })).statusCode).toBe(404);
  });

  it('counts winners after fees, as the round trips show them, and gives no annualised ratio from one day', async () => {
    const stats = StrategyStatsResponse.parse((await h.app.inject({ url: '/api/v1/strategies/rt/stats' })).json());
    expect([stats.closedTrades, stats.winningTrades, stats.losingTrades]).toEqual([2, 1, 1]);
    expect([stats.sharpe, stats.sortino, stats.cagrPct, stats.calmar]).toEqual([null, null, null, null]);
    expect(stats.dailyReturns).toBe(1);
    expect(stats.ratiosNote).toBe('not enough data: annualised ratios need 30 daily returns, there is 1');
  });
});
