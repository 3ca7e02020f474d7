import { ApiErrorBody, StrategyIdParams, StrategyStatusResponse } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireStrategy, type RouteOptions } from '../../context.js';
import { warmupProgress } from '../../read-model/warmup-progress.js';
import { strategyStatus } from '../../read-model/strategy-read-model.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };
const tags = ['strategies'];

/** GET /strategies/{id}/status: health and headline performance of one strategy, with its warm-up progress. */
export const strategyStatusRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/strategies/:id/status',
    { schema: { tags, operationId: 'getStrategyStatus', summary: 'Health and headline performance of one strategy, with the warm-up progress of each indicator', params: StrategyIdParams, response: { 200: StrategyStatusResponse, ...errors } } },
    async (request) => {
      const record = await requireStrategy(ctx, request.params.id);
      const [status, state, warmup] = await Promise.all([strategyStatus(ctx.store, record), ctx.store.loadState(record.id), ctx.store.loadWarmupHistory(record.id)]);
      return { ...status, warmup: await warmupProgress(ctx.candleHistory, record, state, ctx.now(), warmup) };
    },
  );
};
