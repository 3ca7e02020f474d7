import type { FastifyPluginAsync } from 'fastify';
import type { RouteOptions } from '../context.js';
import { loadReconcilePage, windowParam } from '../page-data/reconcile.js';
import { field } from '../plugins/form-fields.js';
import { authOf } from '../plugins/session.js';

/** `/strategies/:id/reconcile`: the reconciliation report of a window (docs/reconciliation.md). */
export const reconcileRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get<{ Params: { id: string } }>('/strategies/:id/reconcile', async (request, reply) => {
    const { id } = request.params;
    const window = { from: windowParam(field(request.query, 'from')), to: windowParam(field(request.query, 'to')) };
    const data = await loadReconcilePage(ctx.api, id, window, authOf(request));
    return reply.page('reconcile', { title: `Reconciliation ${id}`, ...data });
  });
};
