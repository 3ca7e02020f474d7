import type { FastifyPluginAsync } from 'fastify';
import type { RouteOptions } from '../context.js';
import { loadNotifications } from '../page-data/notifications.js';
import { authOf } from '../plugins/session.js';

/** `/notifications`: the channels alerts go to (secrets redacted) and the latest deliveries with their status. */
export const notificationRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/notifications', async (request, reply) => {
    const data = await loadNotifications(ctx.api, authOf(request));
    return reply.page('notifications', { title: 'Notifications', ...data });
  });
};
