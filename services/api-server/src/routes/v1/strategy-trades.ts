import { Readable } from 'node:stream';
import { ApiErrorBody, StrategyIdParams, TradesQuery, TradesResponse } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireStrategy, type RouteOptions } from '../../context.js';
import { allTrades } from '../../read-model/all-trades.js';
import { toTradeDto, tradeCsvRow, tradesCsvHeader } from '../../read-model/strategy-read-model.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };
const tags = ['strategies'];

/** GET /strategies/{id}/trades: trade history a page at a time, or the whole range as a streamed CSV export. */
export const strategyTradeRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/strategies/:id/trades',
    {
      schema: {
        tags,
        operationId: 'listTrades', summary: 'Trade history, newest first, with cursor pagination and time filters; format=csv exports the range',
        params: StrategyIdParams,
        querystring: TradesQuery,
        response: {
          200: {
            description: 'a page of trades, or the CSV export',
            content: { 'application/json': { schema: TradesResponse }, 'text/csv': { schema: z.string().describe('time,tradeId,orderId,strategyId,symbol,side,quantity,price,fee,realizedPnl,reason') } },
          },
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await requireStrategy(ctx, id);
      const { limit, cursor, from, to, format } = request.query;
      const range = { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
      if (format === 'csv' || (request.headers.accept ?? '').startsWith('text/csv')) {
        // streamed page by page: an export of a long history never sits in memory whole
        const rows = async function* () {
          yield tradesCsvHeader();
          for await (const t of allTrades(ctx.store, id, range)) yield tradeCsvRow(t);
        };
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${id}-trades.csv"`).send(Readable.from(rows()) as unknown as string); // a stream of CSV text (the schema's text/csv string)
      }
      const page = await ctx.store.listTrades(id, { limit, ...(cursor !== undefined ? { cursor } : {}), ...range });
      return { items: page.items.map(toTradeDto), nextCursor: page.nextCursor };
    },
  );
};
