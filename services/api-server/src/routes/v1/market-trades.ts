import { ApiErrorBody, MarketDataParams, MarketTradesQuery, MarketTradesResponse, MessageType, Streams, isMessage } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { RouteOptions } from '../../context.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };

/** GET /market/trades/{symbol}: the newest public trades on the bus (the market page's trade tape). */
export const marketTradeRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/market/trades/:symbol',
    {
      schema: {
        tags: ['market'],
        operationId: 'getMarketTrades',
        summary: 'The newest public trades of a symbol, newest first (empty before the feed has any)',
        params: MarketDataParams,
        querystring: MarketTradesQuery,
        response: { 200: MarketTradesResponse, ...errors },
      },
    },
    async (request) => {
      const { symbol } = request.params;
      const entries = await ctx.bus.readLatest(Streams.trades(symbol), request.query.limit);
      const items: MarketTradesResponse['items'] = [];
      for (const e of entries) {
        if (!isMessage(e.envelope, MessageType.trade)) continue;
        const t = e.envelope.payload;
        items.push({ tradeId: t.tradeId, price: t.price, quantity: t.quantity, time: t.time, side: t.isBuyerMaker ? 'sell' : 'buy' });
      }
      items.sort((a, b) => b.time - a.time);
      return { symbol, items };
    },
  );
};
