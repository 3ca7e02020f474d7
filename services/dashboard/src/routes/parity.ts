import type { FastifyPluginAsync } from 'fastify';
import { endpoints } from '../api/endpoints.js';
import type { RouteOptions } from '../context.js';
import { wantsJson } from '../plugins/json-answers.js';
import { refuseCrossSite } from '../plugins/same-origin.js';
import { authOf } from '../plugins/session.js';

/** how long the API waits for the paper-trader's check before it answers "still running" (under the API client's 10 s timeout) */
const CHECK_WAIT_MS = 8_000;

/**
 * The strategy page's "Check now": a plain form post (same-origin only) that asks the API to run a
 * parity check (control scope) and comes back to the strategy's parity panel, which then shows the
 * check, or says it is still running.
 */
export const parityRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.post<{ Params: { id: string } }>('/strategies/:id/parity/check', { preHandler: refuseCrossSite }, async (request, reply) => {
    const { id } = request.params;
    const result = await ctx.api.send(endpoints.parityCheck(id), { waitMs: CHECK_WAIT_MS }, authOf(request));
    if (wantsJson(request)) return result;
    const status = 'status' in result ? 'pending' : 'done';
    const q = new URLSearchParams({ parityCheck: result.checkId, parityStatus: status });
    return reply.redirect(`/strategies/${encodeURIComponent(id)}?${q.toString()}#parity`, 303);
  });
};
