import { MarketSymbol, StrategyId } from '@btc-research/contracts';
import type { FastifyPluginAsync } from 'fastify';
import { endpoints } from '../api/endpoints.js';
import type { RouteOptions } from '../context.js';
import { loadLiveSnapshot } from '../page-data/live-snapshot.js';
import { field } from '../plugins/form-fields.js';
import { jsonRoute } from '../plugins/json-answers.js';
import { authOf } from '../plugins/session.js';

const MAX_CANDLES = 500;

/** JSON the page scripts poll: the live snapshot (when neither WebSocket nor SSE works) and the newest candles. */
export const livePollingRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  /** Polling fallback: the current numbers (and for a strategy page, its newest trades and equity). */
  app.get('/live/snapshot', jsonRoute, async (request) => {
    const strategy = StrategyId.safeParse(field(request.query, 'strategy'));
    return loadLiveSnapshot(ctx.api, authOf(request), strategy.success ? strategy.data : undefined);
  });

  /** Newest candles and top of book for the price charts (candles are not pushed as events). */
  app.get('/live/market', jsonRoute, async (request) => {
    const symbol = MarketSymbol.safeParse(field(request.query, 'symbol')).data ?? 'BTCUSDT';
    const limit = Math.min(Math.max(Number(field(request.query, 'limit')) || 5, 1), MAX_CANDLES);
    const market = await ctx.api.read(endpoints.marketData(symbol, '1m', limit), authOf(request));
    return { symbol, candles: market.candles['1m'] ?? [], lastPrice: market.lastPrice, bid: market.bid, ask: market.ask, time: Date.now() };
  });
};
