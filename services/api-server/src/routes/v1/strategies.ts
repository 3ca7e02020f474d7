import { Readable } from 'node:stream';
import {
  IndicatorsQuery,
  IndicatorsResponse,
  ActiveStrategiesQuery,
  ActiveStrategiesResponse,
  ApiErrorBody,
  EquityQuery,
  EquityResponse,
  OrdersQuery,
  OrdersResponse,
  PositionsResponse,
  StrategyIdParams,
  StrategyStatsResponse,
  StrategyStatusResponse,
  TradesQuery,
  TradesResponse,
} from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireStrategy, type RouteOptions } from '../../context.js';
import { allTrades } from '../../read-model/all-trades.js';
import { warmupProgress } from '../../read-model/warmup-progress.js';
import {
  strategyOrders,
  strategyStats,
  strategyStatus,
  summarizeStrategy,
  toTradeDto,
  tradeCsvRow,
  tradesCsvHeader,
} from '../../read-model/strategy-read-model.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };
const tags = ['strategies'];

/** Read routes of /api/v1/strategies: the dashboard's and scripts' view of every strategy. */
export const strategyReadRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
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

  app.get(
    '/strategies/:id/status',
    { schema: { tags, operationId: 'getStrategyStatus', summary: 'Health and headline performance of one strategy, with the warm-up progress of each indicator', params: StrategyIdParams, response: { 200: StrategyStatusResponse, ...errors } } },
    async (request) => {
      const record = await requireStrategy(ctx, request.params.id);
      const [status, state] = await Promise.all([strategyStatus(ctx.store, record), ctx.store.loadState(record.id)]);
      return { ...status, warmup: await warmupProgress(ctx.candleHistory, record, state, ctx.now()) };
    },
  );

  app.get(
    '/strategies/:id/stats',
    { schema: { tags, operationId: 'getStrategyStats', summary: 'Performance statistics, live', params: StrategyIdParams, response: { 200: StrategyStatsResponse, ...errors } } },
    async (request) => {
      const id = request.params.id;
      return ctx.cache.get(`strategy:${id}:stats`, async () => strategyStats(ctx.store, await requireStrategy(ctx, id), ctx.now(), ctx.statsModels)) as Promise<StrategyStatsResponse>;
    },
  );

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
