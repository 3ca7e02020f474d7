import { StrategyId } from '@btc-research/contracts';
import type { FastifyPluginAsync } from 'fastify';
import { endpoints } from '../api/endpoints.js';
import type { RouteOptions } from '../context.js';
import { field } from '../plugins/form-fields.js';
import { wantsJson } from '../plugins/json-answers.js';
import { refuseCrossSite } from '../plugins/same-origin.js';
import { sameSitePath } from '../plugins/same-site-path.js';
import { authOf } from '../plugins/session.js';

const REASON = { reason: 'stopped from the dashboard' };

/** Stop buttons (a strategy's own, and the header's "Stop…" menu): plain form posts that come back. */
export const stopRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.post<{ Params: { id: string } }>('/strategies/:id/stop', { preHandler: refuseCrossSite }, async (request, reply) => {
    const { id } = request.params;
    const result = await ctx.api.send(endpoints.stopStrategy(id), REASON, authOf(request));
    if (wantsJson(request)) return result;
    return reply.redirect(sameSitePath(field(request.body, 'returnTo'), `/strategies/${encodeURIComponent(id)}`), 303);
  });

  /** The header's "Stop…" menu posts the id as a field. */
  app.post('/strategies/stop', { preHandler: refuseCrossSite }, async (request, reply) => {
    const id = StrategyId.safeParse(field(request.body, 'id'));
    if (!id.success) return reply.status(400).type('text/plain').send('choose a strategy');
    await ctx.api.send(endpoints.stopStrategy(id.data), REASON, authOf(request));
    return reply.redirect(sameSitePath(field(request.body, 'returnTo'), '/'), 303);
  });
};
