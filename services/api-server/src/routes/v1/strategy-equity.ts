import { ApiErrorBody, EquityQuery, EquityResponse, StrategyIdParams } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireStrategy, type RouteOptions } from '../../context.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };
const tags = ['strategies'];

/** GET /strategies/{id}/equity: the equity curve, oldest first. */
export const strategyEquityRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/strategies/:id/equity',
    { schema: { tags, operationId: 'getEquityCurve', summary: 'Equity curve, oldest first', params: StrategyIdParams, querystring: EquityQuery, response: { 200: EquityResponse, ...errors } } },
    async (request) => {
      await requireStrategy(ctx, request.params.id);
      const points = await ctx.store.listEquity(request.params.id, request.query.since, request.query.limit);
      return { items: points.map((p) => ({ time: p.time, equity: p.equity })) };
    },
  );
};
