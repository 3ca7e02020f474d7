import { MarketTimeframe, StrategyId } from '@btc-research/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { RouteOptions } from '../context.js';
import { displayPreferencesOf } from '../display-preferences.js';
import { formattersFor } from '../format.js';
import { loadParity, parityRequestOf } from '../page-data/parity.js';
import { loadPanels, loadStrategyPage } from '../page-data/strategy.js';
import { loadChartPage, loadChartTail } from '../page-data/strategy-chart.js';
import { field } from '../plugins/form-fields.js';
import { jsonRoute } from '../plugins/json-answers.js';
import { authOf } from '../plugins/session.js';

interface ById {
  Params: { id: string };
}

/** `/strategies/:id`: one strategy's charts, numbers, positions, orders and trades. */
export const strategyRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get<ById>('/strategies/:id', async (request, reply) => {
    const { id } = request.params;
    const data = await loadStrategyPage(ctx.api, id, authOf(request));
    if (data) return reply.page('strategy', { title: data.status.name, ...data, forced: field(request.query, 'forced') === '1', parityRequested: parityRequestOf(request.query) });
    if (field(request.query, 'started') && StrategyId.safeParse(id).success) {
      // the paper-trader has not confirmed the start yet: say so and look again shortly
      const message = `Strategy "${id}" was sent to the paper-trader and is not running yet. This page reloads until it is.`;
      return reply.page('error', { title: 'Starting…', message, status: 202, refreshSeconds: 2 }, 202);
    }
    return reply.page('error', { title: 'Not found', message: `No strategy "${id}".`, status: 404 }, 404);
  });

  /** Statistics, positions, orders, round trips and warm-up of a strategy page, re-rendered after fills and while warming up (JSON of HTML fragments). */
  app.get<ById>('/strategies/:id/panels', jsonRoute, async (request) => {
    const data = { ...(await loadPanels(ctx.api, request.params.id, authOf(request))), fmt: formattersFor(displayPreferencesOf(request).timeZone) };
    const [stats, positions, orders, roundTrips, warmup] = await Promise.all([
      ctx.views.render('panel-stats', data),
      ctx.views.render('panel-positions', data),
      ctx.views.render('panel-orders', data),
      ctx.views.render('panel-round-trips', data),
      ctx.views.render('panel-warmup', data),
    ]);
    return { stats, positions, orders, 'round-trips': roundTrips, warmup };
  });

  /** The parity panel alone, re-rendered when a check of this strategy arrives live (JSON of one HTML fragment). */
  app.get<ById>('/strategies/:id/panels/parity', jsonRoute, async (request) => {
    const { id } = request.params;
    const data = { ...(await loadParity(ctx.api, id, authOf(request))), status: { id }, parityRequested: null, fmt: formattersFor(displayPreferencesOf(request).timeZone) };
    return { parity: await ctx.views.render('panel-parity', data) };
  });

  /** A page of the strategy chart: `?timeframe=1h&before=<ms>` (no `before`: the newest, with the forming candle; `live=1`: only its tail). */
  app.get<ById>('/strategies/:id/chart', jsonRoute, async (request, reply) => {
    const timeframe = MarketTimeframe.safeParse(field(request.query, 'timeframe') ?? '1m');
    const beforeText = field(request.query, 'before');
    const before = beforeText === undefined || beforeText === '' ? undefined : Number(beforeText);
    if (!timeframe.success || (before !== undefined && !(Number.isInteger(before) && before >= 0))) {
      return reply.code(400).send({ error: { code: 'BAD_CHART_QUERY', message: `expected timeframe one of ${MarketTimeframe.options.join(', ')} and before as epoch ms` } });
    }
    if (field(request.query, 'live') === '1') return loadChartTail(ctx.api, request.params.id, timeframe.data, authOf(request));
    return loadChartPage(ctx.api, request.params.id, timeframe.data, before, authOf(request));
  });
};
