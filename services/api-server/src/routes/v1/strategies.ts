import { ActiveStrategiesQuery, ActiveStrategiesResponse, ApiErrorBody } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RouteOptions } from '../../context.js';
import { summarizeStrategy } from '../../read-model/strategy-read-model.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };
const tags = ['strategies'];

/** GET /strategies/active: every strategy in the store, the dashboard's and scripts' overview. */
export const strategyListRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/strategies/active',
    {
      schema: {
        tags,
        operationId: 'listStrategies', summary: 'Every strategy in the store with status, equity, PnL, trade count and last trades',
        querystring: ActiveStrategiesQuery,
        response: { 200: ActiveStrategiesResponse, ...errors },
      },
    },
    async (request) => {
      const all = (await ctx.cache.get('active', async () => {
        const records = await ctx.store.listStrategies();
        const items = await Promise.all(records.map((r) => summarizeStrategy(ctx.store, r)));
        items.sort((a, b) => a.id.localeCompare(b.id));
        return { items, asOf: ctx.now() };
      })) as ActiveStrategiesResponse;
      const wanted = request.query.status;
      return wanted ? { items: all.items.filter((s) => wanted.includes(s.status)), asOf: all.asOf } : all;
    },
  );
};
