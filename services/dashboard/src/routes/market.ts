import type { FastifyPluginAsync } from 'fastify';
import type { RouteOptions } from '../context.js';
import { MarketSymbol } from '@btc-research/contracts';
import { loadMarket } from '../page-data/market.js';
import { loadBook } from '../page-data/market-book.js';
import { jsonRoute } from '../plugins/json-answers.js';
import { field } from '../plugins/form-fields.js';
import { authOf } from '../plugins/session.js';

/** `/market`: a symbol's last price, bid/ask and spread, feed health, 1m candles and book depth. */
export const marketRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/market', async (request, reply) => {
    const data = await loadMarket(ctx.api, field(request.query, 'symbol'), authOf(request));
    return reply.page('market', { title: `Market ${data.symbol}`, ...data });
  });

  /** The book part of the market page, polled: bid/ask from the same snapshot as the depth, recent trades. */
  app.get('/market/book', jsonRoute, async (request) => {
    const symbol = MarketSymbol.safeParse(field(request.query, 'symbol')).data ?? 'BTCUSDT';
    return { symbol, ...(await loadBook(ctx.api, symbol, authOf(request))) };
  });
};
