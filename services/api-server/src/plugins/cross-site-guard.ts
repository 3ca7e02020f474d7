import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiErrorCode } from '@btc-research/contracts';
import { ApiError } from '../errors.js';

/**
 * Refuses browser requests from other sites on the routes that act: control (start/stop), the token
 * routes, and the WebSocket upgrade (which browsers open cross-site without asking CORS). Without
 * it, any web page a developer visits could drive a local instance with the public development key.
 * A request is cross-site when its Origin is neither an allowed origin (CORS_ORIGINS; "*" allows
 * any) nor the API's own; without an Origin, when the browser says `Sec-Fetch-Site: cross-site`.
 * Clients that are not browsers (curl, the dashboard's server) send neither and pass.
 */
export function registerCrossSiteGuard(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  const isAnyAllowed = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins);
  const isGuarded = (request: FastifyRequest): boolean => {
    const url = request.routeOptions.url ?? '';
    const isUpgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
    return request.routeOptions.config.scope === 'control' || url.startsWith('/api/v1/auth/') || (url === '/api/v1/events/ws' && isUpgrade);
  };
  const isOwnOrigin = (origin: string, request: FastifyRequest): boolean => {
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  };
  // preParsing, not onRequest: the WebSocket plugin must have seen the upgrade (its onRequest) to
  // send the refusal on the socket; registered before the auth hook, so it runs first
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (!isGuarded(request)) return payload;
    const origin = request.headers.origin;
    if (origin !== undefined) {
      if (isAnyAllowed || allowed.has(origin) || isOwnOrigin(origin, request)) return payload;
      throw new ApiError(403, ApiErrorCode.forbidden, `cross-site request refused: a page on ${origin} may not call this endpoint (allowed origins are set by CORS_ORIGINS)`);
    }
    if (request.headers['sec-fetch-site'] === 'cross-site') {
      throw new ApiError(403, ApiErrorCode.forbidden, 'cross-site request refused: a page on another site may not call this endpoint');
    }
    return payload;
  });
}
