import { ApiErrorBody, StrategyCandlesQuery, StrategyCandlesResponse, StrategyIdParams } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireStrategy, type RouteOptions } from '../../context.js';
import { strategyCandles } from '../../read-model/strategy-candles.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };

/** GET /strategies/{id}/candles: the strategy's chart, a page at a time back through its stored history. */
export const strategyCandleRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/strategies/:id/candles',
    {
      schema: {
        tags: ['strategies'],
        operationId: 'getStrategyCandles',
        summary: "A page of candles of the strategy's symbol in one timeframe from the stored history, newest first in paging order; the newest page carries the forming candle",
        params: StrategyIdParams,
        querystring: StrategyCandlesQuery,
        response: { 200: StrategyCandlesResponse, ...errors },
      },
    },
    async (request) => {
      const record = await requireStrategy(ctx, request.params.id);
      return strategyCandles(ctx.candleHistory, ctx.bus, record, request.query);
    },
  );
};
