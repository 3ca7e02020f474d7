import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiErrorBody,
  ApiErrorCode,
  MessageType,
  ParityCheckBody,
  ParityCheckParams,
  ParityCheckPendingResponse,
  ParityQuery,
  ParityResponse,
  StrategyIdParams,
  StrategyParityCheckedV1,
  StreamRetention,
  Streams,
  makeEnvelope,
} from '@btc-research/contracts';
import type { ParityCheckRecord } from '@btc-research/platform';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireStrategy, type ApiContext, type RouteOptions } from '../../context.js';
import { ApiError } from '../../errors.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody, 503: ApiErrorBody };
const tags = ['strategies'];
/** how long POST …/parity/check waits for the result by default */
const DEFAULT_CHECK_WAIT_MS = 10_000;
const POLL_MS = 50;

function checkUrl(strategyId: string, checkId: string): string {
  return `/api/v1/strategies/${strategyId}/parity/checks/${checkId}`;
}

/** The stored check once the paper-trader has stored it, or null after waitMs. */
async function awaitCheck(ctx: ApiContext, strategyId: string, checkId: string, waitMs: number): Promise<ParityCheckRecord | null> {
  const until = Date.now() + waitMs;
  for (;;) {
    const check = await ctx.store.getParityCheck(strategyId, checkId);
    if (check || Date.now() >= until) return check;
    await sleep(Math.min(POLL_MS, Math.max(1, until - Date.now())));
  }
}

/**
 * Parity of a strategy: its checks (the recorded market log replayed through a fresh core and
 * compared with what paper trading did), and a way to run one now. The paper-trader runs the
 * checks; this service reads them from the store and asks for one over the bus.
 */
export const parityRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/strategies/:id/parity',
    {
      schema: {
        tags,
        operationId: 'getStrategyParity',
        summary: 'The latest parity check of a strategy (verdict, window, first divergence) and the history of checks, newest first',
        params: StrategyIdParams,
        querystring: ParityQuery,
        response: { 200: ParityResponse, ...errors },
      },
    },
    async (request) => {
      const id = request.params.id;
      await requireStrategy(ctx, id);
      const history = await ctx.store.listParityChecks(id, request.query.limit);
      return { strategyId: id, latest: history[0] ?? null, history };
    },
  );

  app.get(
    '/strategies/:id/parity/checks/:checkId',
    {
      schema: {
        tags,
        operationId: 'getStrategyParityCheck',
        summary: 'One parity check by id (404 while it has not finished)',
        params: ParityCheckParams,
        response: { 200: StrategyParityCheckedV1, ...errors },
      },
    },
    async (request) => {
      const { id, checkId } = request.params;
      await requireStrategy(ctx, id);
      const check = await ctx.store.getParityCheck(id, checkId);
      if (!check) throw new ApiError(404, ApiErrorCode.notFound, `no finished parity check "${checkId}" of strategy "${id}" (yet)`);
      return check;
    },
  );

  app.post(
    '/strategies/:id/parity/check',
    {
      config: { scope: 'control' },
      schema: {
        tags,
        operationId: 'runStrategyParityCheck',
        summary: 'Run a parity check of a strategy now: 200 with its result when it finishes within waitMs, else 202 with the check id to poll',
        params: StrategyIdParams,
        body: ParityCheckBody.nullish(),
        response: { 200: StrategyParityCheckedV1, 202: ParityCheckPendingResponse, ...errors },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      await requireStrategy(ctx, id);
      const waitMs = request.body?.waitMs ?? DEFAULT_CHECK_WAIT_MS;
      const checkId = `req-${randomUUID()}`;
      const t = ctx.now();
      try {
        await ctx.bus.publish(
          Streams.commands(),
          makeEnvelope({ type: MessageType.strategyParityCheck, id: `parity-check-${checkId}`, source: 'api-server', tsEvent: t, tsInit: t, correlationId: String(request.id), payload: { strategyId: id, checkId } }),
          StreamRetention.commands,
        );
      } catch (error) {
        throw new ApiError(503, ApiErrorCode.upstreamUnavailable, 'the parity check could not be requested from the paper-trader', undefined, { cause: error });
      }
      const check = waitMs > 0 ? await awaitCheck(ctx, id, checkId, waitMs) : null;
      if (check) return reply.code(200).send(check);
      return reply.code(202).header('location', checkUrl(id, checkId)).send({ strategyId: id, checkId, status: 'pending' as const, checkUrl: checkUrl(id, checkId) });
    },
  );
};
