import { ApiErrorBody, PositionsResponse, StrategyIdParams } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireStrategy, type RouteOptions } from '../../context.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };
const tags = ['strategies'];

/** GET /strategies/{id}/positions: current positions. */
export const strategyPositionRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/strategies/:id/positions',
    { schema: { tags, operationId: 'listPositions', summary: 'Current positions', params: StrategyIdParams, response: { 200: PositionsResponse, ...errors } } },
    async (request) => {
      await requireStrategy(ctx, request.params.id);
      const positions = await ctx.store.loadPositions(request.params.id);
      return {
        items: positions.map((p) => ({
          symbol: p.symbol,
          quantity: p.quantity,
          averagePrice: p.averagePrice,
          unrealizedPnl: p.unrealizedPnl,
          realizedPnl: p.realizedPnl,
          updatedAt: p.updatedAt,
        })),
      };
    },
  );
};
