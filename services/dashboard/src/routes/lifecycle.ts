import type { FastifyPluginAsync } from 'fastify';
import { endpoints } from '../api/endpoints.js';
import type { RouteOptions } from '../context.js';
import { wantsJson } from '../plugins/json-answers.js';
import { refuseCrossSite } from '../plugins/same-origin.js';
import { authOf } from '../plugins/session.js';

interface ById {
  Params: { id: string };
}

const pageOf = (id: string): string => `/strategies/${encodeURIComponent(id)}`;

/**
 * A strategy's buttons after its start (plain form posts; the pages ask for a confirmation first):
 * restart or remove a stopped strategy, force the exit of an open position.
 */
export const lifecycleRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.post<ById>('/strategies/:id/restart', { preHandler: refuseCrossSite }, async (request, reply) => {
    const { id } = request.params;
    const result = await ctx.api.send(endpoints.restartStrategy(id), {}, authOf(request));
    if (wantsJson(request)) return result;
    return reply.redirect(`${pageOf(id)}${result.accepted ? '' : '?started=1'}`, 303);
  });

  app.post<ById>('/strategies/:id/remove', { preHandler: refuseCrossSite }, async (request, reply) => {
    const result = await ctx.api.remove(endpoints.removeStrategy(request.params.id), authOf(request));
    if (wantsJson(request)) return result;
    return reply.redirect(`/?removed=${encodeURIComponent(result.strategyId)}`, 303);
  });

  app.post<ById>('/strategies/:id/force-exit', { preHandler: refuseCrossSite }, async (request, reply) => {
    const { id } = request.params;
    const result = await ctx.api.send(endpoints.forceExit(id), { note: 'forced from the dashboard' }, authOf(request));
    if (wantsJson(request)) return result;
    return reply.redirect(`${pageOf(id)}?forced=1`, 303);
  });
};
