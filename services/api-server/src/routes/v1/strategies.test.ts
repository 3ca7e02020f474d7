import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ActiveStrategiesResponse, ApiErrorBody, OrdersResponse, StrategyStatsResponse, TradesResponse } from '@btc-research/contracts';
import type { OrderRecord } from '@btc-research/platform';
import { createHarness, fill, redisUrlFor, RedisDb, strategyRecord, type Harness } from '../../test-support/harness.js';

const REDIS_URL = redisUrlFor(RedisDb.shared);

// the same read routes over both real stores: JSON files (embedded) and PostgreSQL (distributed)
describe.each(['json', 'postgres'] as const)('strategy read routes over the %s store', (storeKind) => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness(REDIS_URL, { storeKind });
  });
  afterAll(async () => h.close());

  async function seed(id: string, trades: number, state = true): Promise<void> {
    await h.store.upsertStrategy(strategyRecord(id));
    if (trades > 0) await h.store.appendTrades(id, Array.from({ length: trades }, (_, i) => fill(id, i)));
    if (state) {
      await h.store.saveState({
        strategyId: id,
        time: 1_700_000_900_000,
        cash: '9500.5',
        equity: '10012.75',
        positionQty: '0.01',
        avgEntryPrice: '40000',
        realizedPnl: '9.25',
        unrealizedPnl: '3.5',
        feesPaid: '1.2',
        lastPrice: '40350',
        lastCandleCloseTime: 1_700_000_900_000,
        tradeCount: trades,
        core: null,
      });
    }
  }

  describe('GET /api/v1/strategies/active', () => {
    beforeEach(async () => {
      await seed('alpha', 7);
      await seed('beta', 0, false);
    });

    it('lists every strategy with equity, PnL, trade count and the last trades, without a key in development', async () => {
      const res = await h.app.inject({ url: '/api/v1/strategies/active' });
      expect(res.statusCode).toBe(200);
      const body = ActiveStrategiesResponse.parse(res.json());
      const alpha = body.items.find((s) => s.id === 'alpha');
      const beta = body.items.find((s) => s.id === 'beta');
      expect(alpha).toMatchObject({ status: 'running', equity: '10012.75', pnl: '12.75', tradeCount: 7, symbol: 'BTCUSDT' });
      expect(alpha?.pnlPct).toBeCloseTo(0.1275, 6);
      expect(alpha?.lastTrades.map((t) => t.tradeId)).toEqual(['t-6', 't-5', 't-4', 't-3', 't-2']);
      expect(beta).toMatchObject({ equity: '10000', pnl: '0', tradeCount: 0, lastTrades: [] });
      expect(res.headers['x-request-id']).toBeTruthy();
    });

    it('filters by status and rejects an unknown status', async () => {
      await h.store.upsertStrategy(strategyRecord('stopped-one', { status: 'stopped' }));
      const running = ActiveStrategiesResponse.parse((await h.app.inject({ url: '/api/v1/strategies/active?status=running,warming-up' })).json());
      expect(running.items.length).toBeGreaterThan(0);
      expect(running.items.every((s) => s.status === 'running')).toBe(true);
      const stopped = ActiveStrategiesResponse.parse((await h.app.inject({ url: '/api/v1/strategies/active?status=stopped' })).json());
      expect(stopped.items.map((s) => s.id)).toEqual(['stopped-one']);
      const bad = await h.app.inject({ url: '/api/v1/strategies/active?status=sleeping' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.message).toContain('sleeping');
    });
  });

  describe('GET /api/v1/strategies/:id/status', () => {
    it('returns status and health', async () => {
      await seed('gamma', 2);
      const res = await h.app.inject({ url: '/api/v1/strategies/gamma/status' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: 'gamma', status: 'running', isHealthy: true, tradeCount: 2, lastCandleCloseTime: 1_700_000_900_000 });
    });

    it('404s with STRATEGY_NOT_FOUND for an unknown id', async () => {
      const res = await h.app.inject({ url: '/api/v1/strategies/does-not-exist/status' });
      expect(res.statusCode).toBe(404);
      const body = ApiErrorBody.parse(res.json());
      expect(body.error.code).toBe('STRATEGY_NOT_FOUND');
      expect(body.error.requestId).toBe(res.headers['x-request-id']);
    });

    it('400s with VALIDATION_FAILED for an id that is not canonical', async () => {
      const res = await h.app.inject({ url: '/api/v1/strategies/Not_Valid/status' });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', details: { in: 'params' } });
    });
  });

  describe('GET /api/v1/strategies/:id/stats', () => {
    it('computes win rate, profit factor and drawdown from the stored trades and equity curve', async () => {
      await seed('delta', 8);
      await h.store.appendEquity('delta', [
        { time: 1, equity: '10000' },
        { time: 2, equity: '10500' },
        { time: 3, equity: '9975' },
        { time: 4, equity: '10200' },
      ]);
      const res = await h.app.inject({ url: '/api/v1/strategies/delta/stats' });
      expect(res.statusCode).toBe(200);
      const s = StrategyStatsResponse.parse(res.json());
      // round trips (0,1) and (4,5) realise 12.5, (2,3) and (6,7) −3.25; each pays 2 × 0.4 fees
      expect(s).toMatchObject({ tradeCount: 8, closedTrades: 4, winningTrades: 2, losingTrades: 2, totalPnl: '12.75', equityPoints: 4 });
      expect(s.averageWin).toBeCloseTo(11.7, 9);
      expect(s.averageLoss).toBeCloseTo(-4.05, 9);
      expect(s.expectancy).toBeCloseTo((2 * 11.7 - 2 * 4.05) / 4, 9);
      expect(s.winRatePct).toBe(50);
      expect(s.profitFactor).toBeCloseTo(23.4 / 8.1, 6);
      expect(s.maxDrawdownPct).toBeCloseTo(5, 6);
    });

    it('follows new trades and equity points (incremental), and a store reset', async () => {
      await seed('delta-live', 2);
      const first = StrategyStatsResponse.parse((await h.app.inject({ url: '/api/v1/strategies/delta-live/stats' })).json());
      expect(first).toMatchObject({ closedTrades: 1, winningTrades: 1, equityPoints: 0 });
      // two more fills at the same minute as the last one, and equity points
      await h.store.appendTrades('delta-live', [fill('delta-live', 2, { tradeId: 'late-a', time: 1_700_000_060_000 }), fill('delta-live', 3, { tradeId: 'late-b', time: 1_700_000_060_000 })]);
      await h.store.appendEquity('delta-live', [
        { time: 10, equity: '10000' },
        { time: 20, equity: '9000' },
      ]);
      const second = StrategyStatsResponse.parse((await h.app.inject({ url: '/api/v1/strategies/delta-live/stats' })).json());
      expect(second).toMatchObject({ closedTrades: 2, winningTrades: 1, losingTrades: 1, equityPoints: 2 });
      expect(second.maxDrawdownPct).toBeCloseTo(10, 9);
    });

    it('404s for an unknown strategy', async () => {
      const res = await h.app.inject({ url: '/api/v1/strategies/nobody/stats' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('STRATEGY_NOT_FOUND');
    });
  });

  describe('GET /api/v1/strategies/:id/trades', () => {
    beforeAll(async () => seed('epsilon', 25));

    it("returns each fill's liquidity, fill quality and provenance (book or modelled) as the paper trader recorded them", async () => {
      await h.store.upsertStrategy(strategyRecord('quality'));
      const quality = { decisionPrice: '40000', arrivalMid: '40001.5', vwap: '40003.52', slippageBps: '0.5049', latencyMs: 73, levelsConsumed: 2 };
      const provenance = { source: 'book', model: 'book-walk' } as const;
      const modelled = { source: 'modelled', model: 'candle-open' } as const;
      await h.store.appendTrades('quality', [{ ...fill('quality', 0), liquidity: 'taker', quality, provenance }, fill('quality', 1), { ...fill('quality', 2), provenance: modelled }]);
      const page = TradesResponse.parse((await h.app.inject({ url: '/api/v1/strategies/quality/trades' })).json());
      const withQuality = page.items.find((t) => t.tradeId === 't-0');
      const without = page.items.find((t) => t.tradeId === 't-1');
      expect(withQuality).toMatchObject({ liquidity: 'taker', quality, provenance });
      expect(without?.quality).toBeUndefined();
      // a fill recorded before provenance existed says nothing rather than a guess
      expect(without?.provenance).toBeUndefined();
      expect(page.items.find((t) => t.tradeId === 't-2')?.provenance).toEqual(modelled);
    });

    it('pages newest first with limit and cursor until nextCursor is null', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 10; page++) {
        const url: string = `/api/v1/strategies/epsilon/trades?limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await h.app.inject({ url });
        expect(res.statusCode).toBe(200);
        const body = TradesResponse.parse(res.json());
        seen.push(...body.items.map((t) => t.tradeId));
        cursor = body.nextCursor;
        if (cursor === null) break;
      }
      expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `t-${24 - i}`));
    });

    it('filters by time range', async () => {
      const from = 1_700_000_000_000 + 5 * 60_000;
      const to = 1_700_000_000_000 + 10 * 60_000;
      const res = await h.app.inject({ url: `/api/v1/strategies/epsilon/trades?from=${from}&to=${to}&limit=100` });
      expect(res.statusCode).toBe(200);
      expect(res.json().items.map((t: { tradeId: string }) => t.tradeId)).toEqual(['t-9', 't-8', 't-7', 't-6', 't-5']);
    });

    it('exports CSV of the range', async () => {
      const res = await h.app.inject({ url: '/api/v1/strategies/epsilon/trades?format=csv&from=1700000000000&to=1700000180000' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toContain('epsilon-trades.csv');
      const lines = res.body.trim().split('\n');
      expect(lines[0]).toBe('time,tradeId,orderId,strategyId,symbol,side,quantity,price,fee,realizedPnl,reason');
      expect(lines.slice(1).map((l) => l.split(',')[1])).toEqual(['t-2', 't-1', 't-0']);
    });

    it('rejects a limit out of range and a garbage cursor with 400', async () => {
      const over = await h.app.inject({ url: '/api/v1/strategies/epsilon/trades?limit=5000' });
      expect(over.statusCode).toBe(400);
      expect(over.json().error.code).toBe('VALIDATION_FAILED');
      const cursor = await h.app.inject({ url: '/api/v1/strategies/epsilon/trades?cursor=%%%not-a-cursor' });
      expect(cursor.statusCode).toBe(400);
    });

    it('404s for an unknown strategy', async () => {
      const res = await h.app.inject({ url: '/api/v1/strategies/nobody/trades' });
      expect(res.statusCode).toBe(404);
    });
  });

  describe('positions, orders and equity', () => {
    beforeAll(async () => {
      await seed('zeta', 4);
      await h.store.savePositions('zeta', [
        { strategyId: 'zeta', symbol: 'BTCUSDT', quantity: '0.01', averagePrice: '40000', unrealizedPnl: '3.5', realizedPnl: '9.25', updatedAt: 5 },
      ]);
      const order = (n: number, status: 'filled' | 'open'): OrderRecord => ({
        strategyId: 'zeta',
        orderId: `ord-${n}`,
        symbol: 'BTCUSDT',
        side: 'buy',
        type: status === 'open' ? 'limit' : 'market',
        quantity: '0.04',
        limitPrice: status === 'open' ? '39000' : null,
        stopPrice: null,
        reduceOnly: false,
        status,
        filledQty: status === 'filled' ? '0.04' : '0',
        avgPrice: status === 'filled' ? '40075' : null,
        fees: status === 'filled' ? '1.603' : '0',
        reason: 'entry_long',
        decidedAt: 1_700_000_000_000 + n * 60_000,
        arrivesAt: 1_700_000_000_070 + n * 60_000,
        triggeredAt: null,
        rejectReason: null,
        rejectMessage: null,
        updatedAt: 1_700_000_000_100 + n * 60_000,
        quality: { decisionPrice: '40050', arrivalMid: '40060', vwap: '40075', slippageBps: '3.74', latencyMs: 70, levelsConsumed: 2 },
      });
      await h.store.upsertOrders('zeta', [order(1, 'filled'), order(2, 'filled'), order(3, 'open')]);
      await h.store.appendEquity('zeta', [
        { time: 100, equity: '10000' },
        { time: 200, equity: '10010' },
        { time: 300, equity: '10020' },
      ]);
    });

    it('GET /positions returns the stored positions', async () => {
      const res = await h.app.inject({ url: '/api/v1/strategies/zeta/positions' });
      expect(res.statusCode).toBe(200);
      expect(res.json().items).toEqual([{ symbol: 'BTCUSDT', quantity: '0.01', averagePrice: '40000', unrealizedPnl: '3.5', realizedPnl: '9.25', updatedAt: 5 }]);
    });

    it('GET /orders lists the orders newest first with fill quality, and openOnly filters', async () => {
      const res = await h.app.inject({ url: '/api/v1/strategies/zeta/orders?limit=10' });
      expect(res.statusCode).toBe(200);
      const items = OrdersResponse.parse(res.json()).items;
      expect(items.map((o) => o.orderId)).toEqual(['ord-3', 'ord-2', 'ord-1']);
      expect(items[1]).toMatchObject({ status: 'filled', type: 'market', avgPrice: '40075', fees: '1.603', fillQuality: { decisionPrice: '40050', arrivalMid: '40060', vwap: '40075', slippageBps: '3.74', latencyMs: 70, levelsConsumed: 2 } });
      const open = await h.app.inject({ url: '/api/v1/strategies/zeta/orders?openOnly=true' });
      expect(open.json().items.map((o: { orderId: string }) => o.orderId)).toEqual(['ord-3']);
      expect((await h.app.inject({ url: '/api/v1/strategies/zeta/orders?openOnly=yes' })).statusCode).toBe(400);
    });

    it('GET /equity returns the curve since a time', async () => {
      const res = await h.app.inject({ url: '/api/v1/strategies/zeta/equity?since=150&limit=10' });
      expect(res.statusCode).toBe(200);
      expect(res.json().items).toEqual([
        { time: 200, equity: '10010' },
        { time: 300, equity: '10020' },
      ]);
    });

    it.each(['positions', 'orders', 'equity'])('GET /%s 404s for an unknown strategy', async (what) => {
      const res = await h.app.inject({ url: `/api/v1/strategies/nobody/${what}` });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('STRATEGY_NOT_FOUND');
    });
  });
});
