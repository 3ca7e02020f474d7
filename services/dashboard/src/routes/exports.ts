import { StrategyId } from '@btc-research/contracts';
import type { FastifyPluginAsync } from 'fastify';
import { rawPaths } from '../api/endpoints.js';
import type { RouteOptions } from '../context.js';
import { keepSide } from '../page-data/trades-csv.js';
import { rangeOf, readTradesFilter } from '../page-data/trades-filter.js';
import { authOf } from '../plugins/session.js';

/** `/trades.csv`: the API's CSV export (credentials stay here), passed on to the browser. */
export const exportRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/trades.csv', async (request, reply) => {
    const filter = readTradesFilter(request.query);
    const id = StrategyId.safeParse(filter.strategy);
    if (!id.success) return reply.status(400).type('text/plain').send('choose a strategy');
    const path = rawPaths.tradesCsv(id.data, rangeOf(filter));
    const res = await ctx.api.fetch(path, { auth: authOf(request), accept: 'text/csv' });
    if (!res.ok) throw await ctx.api.failure(res, path);
    const csv = await res.text();
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="trades-${id.data}.csv"`)
      .send(filter.side === undefined ? csv : keepSide(csv, filter.side));
  });
};
