import type { FastifyPluginAsync } from 'fastify';
import type { RouteOptions } from '../context.js';

/** /healthz: the process answers; says which API it uses, its live transports and the relay's upstream. */
export const healthRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/healthz', async () => ({ ok: true, apiUrl: ctx.api.baseUrl, transports: { ws: ctx.live.ws, sse: ctx.live.sse }, live: ctx.hubs.describe() }));
};
