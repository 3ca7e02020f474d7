import type { FastifyPluginAsync } from 'fastify';
import type { RouteOptions } from '../context.js';
import { loadTrades } from '../page-data/trades.js';
import { readTradesFilter } from '../page-data/trades-filter.js';
import { authOf } from '../plugins/session.js';

/** `/trades`: a strategy's trades, newest first, a page at a time, filtered by side and time. */
export const tradesRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/trades', async (request, reply) => {
    const data = await loadTrades(ctx.api, readTradesFilter(request.query), authOf(request));
    return reply.page('trades', { title: 'Trades', ...data });
  });
};
