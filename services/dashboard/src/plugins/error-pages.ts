import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiContractError, ApiError, gatewayStatusOf, isAuthError, messageOf } from '../api/api-errors.js';
import type { DashboardContext } from '../context.js';
import { wantsJson } from './json-answers.js';
import { renewSession } from './session.js';

/** 401 from the API for a signed-in user (JWT mode): renew the session, else ask to sign in. */
async function askForCredentials(ctx: DashboardContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const renewed = await renewSession(ctx.api, request, reply);
  if (renewed && request.method === 'GET') return reply.redirect(request.url, 303);
  return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
}

function isClientError(err: unknown): err is FastifyError {
  const status = (err as Partial<FastifyError>).statusCode;
  return !(err instanceof ApiError) && typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * One error handler for every route: routes throw, this answers. Scripts get `{ error }` JSON;
 * people get the login page (credentials wanted), "Not allowed" (refused), or an error page that
 * says what failed, e.g. an API answer outside its contract. Failures are logged.
 */
export function registerErrorPages(app: FastifyInstance, ctx: DashboardContext): void {
  app.setErrorHandler(async (err, request, reply) => {
    if (isClientError(err)) return reply.status(err.statusCode ?? 400).type('text/plain').send(err.message);
    const wantsCredentials = err instanceof ApiError && err.status === 401 && !ctx.api.hasApiKey;
    const status = gatewayStatusOf(err);
    if (status >= 500) request.log.error({ err, path: request.url.split('?')[0] }, 'dashboard request failed');
    if (wantsJson(request)) return reply.status(status).send({ error: messageOf(err) });
    if (wantsCredentials) return askForCredentials(ctx, request, reply);
    if (isAuthError(err)) return reply.page('error', { title: 'Not allowed', message: `The API refused the request: ${err.message}`, status: err.status }, err.status);
    const title = err instanceof ApiContractError ? 'The API answered something unexpected' : 'Something went wrong';
    return reply.page('error', { title, message: messageOf(err), status }, status);
  });
  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    return reply.page('error', { title: 'Not found', message: `Nothing at ${path}.`, status: 404 }, 404);
  });
}
