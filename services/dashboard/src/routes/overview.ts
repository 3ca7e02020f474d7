import { StrategyId } from '@btc-research/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { RouteOptions } from '../context.js';
import { loadOverview } from '../page-data/overview.js';
import { field } from '../plugins/form-fields.js';
import { loadPortfolio } from '../page-data/portfolio.js';
import { authOf } from '../plugins/session.js';

/** `/`: every strategy with status, equity, PnL and last trades, the portfolio, and the market-data feed. */
export const overviewRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/', async (request, reply) => {
    const [data, portfolio] = await Promise.all([loadOverview(ctx.api, authOf(request)), loadPortfolio(ctx.api, authOf(request))]);
    // after the Remove button: say which strategy went
    const removed = StrategyId.safeParse(field(request.query, 'removed'));
    return reply.page('overview', { title: 'Overview', ...data, ...portfolio, removed: removed.success ? removed.data : null });
  });
};
