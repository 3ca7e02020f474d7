import { ApiErrorBody, RoundTripsQuery, RoundTripsResponse, StrategyIdParams } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireStrategy, type RouteOptions } from '../../context.js';
import { strategyRoundTrips } from '../../read-model/strategy-read-model.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };

export const roundTripRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/strategies/:id/round-trips',
    {
      schema: {
        tags: ['strategies'],
        operationId: 'listRoundTrips',
        summary: 'Closed round trips (flat → position → flat), newest first: entry, exit, duration, gross and net PnL, fees, profit %, reasons',
        params: StrategyIdParams,
        querystring: RoundTripsQuery,
        response: { 200: RoundTripsResponse, ...errors },
      },
    },
    async (request) => {
      const { id } = request.params;
      await requireStrategy(ctx, id);
      return (await ctx.cache.get(`strategy:${id}:round-trips:${request.query.limit}`, () => strategyRoundTrips(ctx.store, id, request.query.limit, ctx.statsModels))) as RoundTripsResponse;
    },
  );
};
