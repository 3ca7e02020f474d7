import { ApiErrorBody, OrdersQuery, OrdersResponse, StrategyIdParams } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireStrategy, type RouteOptions } from '../../context.js';
import { strategyOrders } from '../../read-model/strategy-read-model.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };
const tags = ['strategies'];

/** GET /strategies/{id}/orders: paper orders with status and fill quality. */
export const strategyOrderRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/strategies/:id/orders',
    {
      schema: { tags, operationId: 'listOrders', summary: 'Paper orders, newest decision first, with status and fill quality (decision price, arrival mid, VWAP, slippage, latency, book levels)', params: StrategyIdParams, querystring: OrdersQuery, response: { 200: OrdersResponse, ...errors } },
    },
    async (request) => {
      await requireStrategy(ctx, request.params.id);
      return { items: await strategyOrders(ctx.store, request.params.id, request.query) };
    },
  );
};
