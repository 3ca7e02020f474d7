import type { FastifyPluginAsync } from 'fastify';
import type { RouteOptions } from '../context.js';
import { loadMarket } from '../page-data/market.js';
import { field } from '../plugins/form-fields.js';
import { authOf } from '../plugins/session.js';

/** `/market`: a symbol's last price, bid/ask and spread, feed health, 1m candles and book depth. */
export const marketRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/market', async (request, reply) => {
    const data = await loadMarket(ctx.api, field(request.query, 'symbol'), authOf(request));
    return reply.page('market', { title: `Market ${data.symbol}`, ...data });
  });
};
