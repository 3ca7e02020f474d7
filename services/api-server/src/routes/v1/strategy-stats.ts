import { ApiErrorBody, StrategyIdParams, StrategyStatsResponse } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireStrategy, type RouteOptions } from '../../context.js';
import { strategyStats } from '../../read-model/strategy-read-model.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };
const tags = ['strategies'];

/** GET /strategies/{id}/stats: performance statistics, live. */
export const strategyStatsRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/strategies/:id/stats',
    { schema: { tags, operationId: 'getStrategyStats', summary: 'Performance statistics, live', params: StrategyIdParams, response: { 200: StrategyStatsResponse, ...errors } } },
    async (request) => {
      const id = request.params.id;
      return ctx.cache.get(`strategy:${id}:stats`, async () => strategyStats(ctx.store, await requireStrategy(ctx, id), ctx.now(), ctx.statsModels)) as Promise<StrategyStatsResponse>;
    },
  );
};
