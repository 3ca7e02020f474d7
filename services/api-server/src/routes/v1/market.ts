import { ApiErrorBody, ApiErrorCode, DepthQuery, FeedStatusResponse, MarketDataParams, MarketDataQuery, MarketDataResponse, MarketDepthResponse, MessageType, Streams, isMessage } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import type { RouteOptions } from '../../context.js';
import { feedResponse, marketData } from '../../read-model/market-read-model.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };
const tags = ['market'];

export const marketRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/market/feed',
    {
      schema: {
        tags,
        operationId: 'getFeedStatus', summary: 'The latest market-data feed status (source, isSimulated, state); the dashboard shows "SIMULATED DATA" from it',
        response: { 200: FeedStatusResponse, ...errors },
      },
    },
    async () => feedResponse(ctx.hub.latestFeed ?? (await ctx.hub.refreshFeed())),
  );

  app.get(
    '/market/data/:symbol',
    {
      schema: {
        tags,
        operationId: 'getMarketData', summary: 'Last price, best bid/ask, recent candles per timeframe and feed status of a symbol',
        params: MarketDataParams,
        querystring: MarketDataQuery,
        response: { 200: MarketDataResponse, ...errors },
      },
    },
    async (request) => {
      const { symbol } = request.params;
      const { timeframes, limit } = request.query;
      const key = `market:${symbol}:${timeframes.join(',')}:${limit}`;
      const data = await ctx.cache.get(key, () => marketData(ctx.bus, ctx.candleHistory, ctx.hub.latestFeed, { symbol, timeframes, limit }));
      if (data === null) throw new ApiError(404, ApiErrorCode.notFound, `no market data for ${symbol} on the bus`);
      return data as MarketDataResponse;
    },
  );

  app.get(
    '/market/depth/:symbol',
    {
      schema: {
        tags,
        operationId: 'getMarketDepth', summary: 'The top levels of the order book the stream-manager keeps (latest published snapshot; `current` false while the feed reports it unsynced or stale)',
        params: MarketDataParams,
        querystring: DepthQuery,
        response: { 200: MarketDepthResponse, ...errors },
      },
    },
    async (request) => {
      const { symbol } = request.params;
      const [last] = await ctx.bus.readLatest(Streams.bookDepth(symbol), 1);
      const env = last?.envelope;
      if (!env || !isMessage(env, MessageType.bookDepth)) throw new ApiError(404, ApiErrorCode.notFound, `no order book for ${symbol} on the bus`);
      const { venue, lastUpdateId, time, bids, asks } = env.payload;
      const n = request.query.limit;
      const feed = ctx.hub.latestFeed?.status;
      const current = feed === undefined || (feed.booksSynced?.[symbol] !== false && feed.state !== 'stale');
      return { symbol, venue, lastUpdateId, time, bids: bids.slice(0, n), asks: asks.slice(0, n), current };
    },
  );
};
