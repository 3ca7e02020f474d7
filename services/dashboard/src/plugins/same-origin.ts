import type { FastifyReply, FastifyRequest } from 'fastify';
import { wantsJson } from './json-answers.js';

/**
 * A request from one of this dashboard's own pages: no Origin header (same-origin navigation in
 * older browsers, scripts without CORS), or an Origin naming this host. 'null' (sandboxed or
 * privacy-redirected documents) is refused.
 */
export function isSameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  try {
    return origin !== 'null' && new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/** preHandler of every state-changing route: cross-site form posts and sockets are refused (403). */
export async function refuseCrossSite(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (isSameOrigin(request)) return;
  if (wantsJson(request)) await reply.status(403).send({ error: 'cross-site request refused' });
  else await reply.status(403).type('text/plain').send('cross-site request refused');
}
