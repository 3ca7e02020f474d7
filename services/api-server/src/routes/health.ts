import { HealthResponse, ReadinessResponse, Streams } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RouteOptions } from '../context.js';

const CHECK_TIMEOUT_MS = 2_000;

async function check(fn: () => Promise<unknown>): Promise<{ ok: boolean; message: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([fn(), timeout]);
    return { ok: true, message: 'ok' };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** /healthz: the process answers. /readyz: the bus and the store answer. */
export const healthRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  const startedAt = ctx.now();
  app.get(
    '/healthz',
    { config: { scope: 'public' }, schema: { tags: ['health'], operationId: 'healthz', summary: 'Liveness', response: { 200: HealthResponse } } },
    async () => ({ status: 'ok' as const, uptimeMs: Math.max(0, ctx.now() - startedAt) }),
  );
  app.get(
    '/readyz',
    {
      config: { scope: 'public' },
      schema: { tags: ['health'], operationId: 'readyz', summary: 'Readiness: bus and storage reachable', response: { 200: ReadinessResponse, 503: ReadinessResponse } },
    },
    async (_request, reply) => {
      const [bus, store] = await Promise.all([
        check(() => ctx.bus.readLatest(Streams.feedStatus(), 1)),
        check(() => ctx.store.listStrategies()),
      ]);
      const isReady = bus.ok && store.ok;
      return reply.code(isReady ? 200 : 503).send({ status: isReady ? 'ready' : 'not-ready', checks: { [`bus:${ctx.bus.kind}`]: bus, [`store:${ctx.store.kind}`]: store } });
    },
  );
};
