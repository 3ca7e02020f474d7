import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'json': the route answers scripts, so its errors are `{ error }` JSON instead of an error page */
    answers?: 'json';
  }
}

/** Route options of a route that answers JSON to the page scripts. */
export const jsonRoute = { config: { answers: 'json' as const } };

/** True for routes that answer scripts, and for fetch() calls that ask for JSON. */
export function wantsJson(request: FastifyRequest): boolean {
  if (request.routeOptions.config.answers === 'json') return true;
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}
