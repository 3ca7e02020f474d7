import { ApiErrorBody, ReconcileQuery, ReconcileReportDto, StrategyIdParams } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireStrategy, type RouteOptions } from '../../context.js';
import { reconcileReport } from '../../read-model/reconcile-report.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody, 422: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };

/** GET /api/v1/strategies/{id}/reconcile: read-only, from the store; running and stopped strategies alike. */
export const reconcileRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.get(
    '/strategies/:id/reconcile',
    {
      schema: {
        tags: ['strategies'],
        operationId: 'reconcileStrategy',
        summary: 'Reconciliation report of a window: paper vs the replay of its log, vs a candle-only backtest (per round trip, PnL gap by cause), and fill-model bands',
        params: StrategyIdParams,
        querystring: ReconcileQuery,
        response: { 200: ReconcileReportDto, ...errors },
      },
    },
    async (request) => {
      const record = await requireStrategy(ctx, request.params.id);
      const { from, to } = request.query;
      const key = `strategy:${record.id}:reconcile:${from ?? ''}:${to ?? ''}`;
      return ctx.cache.get(key, () => reconcileReport(ctx.store, record.id, { from, to })) as Promise<ReconcileReportDto>;
    },
  );
};
