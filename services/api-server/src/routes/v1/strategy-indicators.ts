import { ApiErrorBody, IndicatorsQuery, IndicatorsResponse, StrategyIdParams } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireStrategy, type RouteOptions } from '../../context.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };
const tags = ['strategies'];

/** GET /strategies/{id}/indicators: the strategy's indicators over its symbol's stored candles. */
export const strategyIndicatorRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/strategies/:id/indicators',
    {
      schema: {
        tags,
        operationId: 'getIndicators', summary: "The strategy's indicators over its symbol's stored candle history (a window of it with from/to), computed by the engine as the paper-trader does, each output with its kind",
        params: StrategyIdParams,
        querystring: IndicatorsQuery,
        response: { 200: IndicatorsResponse, ...errors },
      },
    },
    async (request) => {
      const record = await requireStrategy(ctx, request.params.id);
      const q = request.query;
      const key = `strategy:${record.id}:indicators:${q.limit}:${q.from ?? ''}:${q.to ?? ''}:${q.bar ?? ''}`;
      return ctx.cache.get(key, () => ctx.indicatorSeries.read(record, q)) as Promise<IndicatorsResponse>;
    },
  );
};
