import { ApiErrorBody, PortfolioQuery, PortfolioResponse } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RouteOptions } from '../../context.js';
import { portfolio } from '../../read-model/portfolio.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };

export const portfolioRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/portfolio',
    {
      schema: {
        tags: ['strategies'],
        operationId: 'getPortfolio',
        summary: 'Totals over every strategy and the daily profit of the last market days (UTC)',
        querystring: PortfolioQuery,
        response: { 200: PortfolioResponse, ...errors },
      },
    },
    async (request) => (await ctx.cache.get(`portfolio:${request.query.days}`, () => portfolio(ctx.store, request.query.days, ctx.now()))) as PortfolioResponse,
  );
};
