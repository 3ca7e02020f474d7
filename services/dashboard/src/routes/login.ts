import type { FastifyPluginAsync } from 'fastify';
import { ApiError, messageOf } from '../api/api-errors.js';
import { endpoints } from '../api/endpoints.js';
import type { RouteOptions } from '../context.js';
import { field } from '../plugins/form-fields.js';
import { refuseCrossSite } from '../plugins/same-origin.js';
import { sameSitePath } from '../plugins/same-site-path.js';
import { endSession, startSession } from '../plugins/session.js';

/** Sign in (JWT mode): the user's API key is exchanged for their own tokens, kept in HttpOnly cookies. */
export const loginRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/login', async (request, reply) => reply.page('login', { title: 'Sign in', next: sameSitePath(field(request.query, 'next')), error: null }));

  app.post('/login', { preHandler: refuseCrossSite }, async (request, reply) => {
    const next = sameSitePath(field(request.body, 'next'));
    try {
      startSession(reply, await ctx.api.send(endpoints.token(), { apiKey: field(request.body, 'apiKey') ?? '' }));
      return await reply.redirect(next, 303);
    } catch (err) {
      const isRefused = err instanceof ApiError && [400, 401, 403].includes(err.status);
      return reply.page('login', { title: 'Sign in', next, error: isRefused ? 'That key was not accepted.' : messageOf(err) }, 401);
    }
  });

  app.post('/logout', { preHandler: refuseCrossSite }, async (_request, reply) => {
    endSession(reply);
    return reply.redirect('/', 303);
  });
};
