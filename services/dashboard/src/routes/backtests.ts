import type { CreateBacktestBody } from '@btc-research/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { z } from 'zod';
import { ApiError, messageOf } from '../api/api-errors.js';
import { endpoints } from '../api/endpoints.js';
import type { RouteOptions } from '../context.js';
import { loadConfigs } from '../page-data/start.js';
import { field, filledField } from '../plugins/form-fields.js';
import { refuseCrossSite } from '../plugins/same-origin.js';
import { authOf } from '../plugins/session.js';

interface ById {
  Params: { id: string };
}

/** A `datetime-local` value read as UTC (the page says so), in ms; undefined when empty or invalid. */
function utcMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The form as the API's CreateBacktestBody: a strategy's own config, or a config of config/. */
function backtestBodyOf(form: unknown): z.input<typeof CreateBacktestBody> {
  const strategyId = filledField(form, 'strategyId');
  const configName = filledField(form, 'configName');
  const source = field(form, 'source') === 'file' ? 'file' : 'market-log';
  const file = filledField(form, 'file');
  const from = utcMs(filledField(form, 'from'));
  const to = utcMs(filledField(form, 'to'));
  return {
    ...(strategyId !== undefined ? { strategyId } : { configName: configName ?? '' }),
    source,
    ...(source === 'file' && file !== undefined ? { file } : {}),
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
  };
}

/** `/backtests`: run a backtest from the browser (off the trading path, in the API) and read its report. */
export const backtestRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/backtests', async (request, reply) => {
    const configs = await loadConfigs(ctx.api, authOf(request));
    return reply.page('backtests', { title: 'Backtests', ...configs, strategyId: filledField(request.query, 'strategy') ?? null, formError: null });
  });

  app.post('/backtests', { preHandler: refuseCrossSite }, async (request, reply) => {
    const auth = authOf(request);
    try {
      const created = await ctx.api.send(endpoints.createBacktest(), backtestBodyOf(request.body), auth);
      return await reply.redirect(`/backtests/${encodeURIComponent(created.id)}`, 303);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status < 400 || err.status >= 500 || err.status === 401) throw err;
      const configs = await loadConfigs(ctx.api, auth);
      return reply.page('backtests', { title: 'Backtests', ...configs, strategyId: filledField(request.body, 'strategyId') ?? null, formError: messageOf(err) }, 422);
    }
  });

  app.get<ById>('/backtests/:id', async (request, reply) => {
    const job = await ctx.api.read(endpoints.backtest(request.params.id), authOf(request));
    const isActive = job.status === 'queued' || job.status === 'running';
    // the reconciliation view of the same window, for a backtest of a strategy's own config
    const from = job.from ?? job.report?.period.dataFrom ?? null;
    const to = job.to ?? job.report?.period.dataTo ?? null;
    const reconcileUrl = job.strategyId === null ? null : `/strategies/${encodeURIComponent(job.strategyId)}/reconcile?${new URLSearchParams({ ...(from !== null ? { from: String(from) } : {}), ...(to !== null ? { to: String(to) } : {}) }).toString()}`;
    return reply.page('backtest', { title: `Backtest ${job.id}`, job, reconcileUrl, ...(isActive ? { refreshSeconds: 1 } : {}) });
  });

  app.post<ById>('/backtests/:id/cancel', { preHandler: refuseCrossSite }, async (request, reply) => {
    await ctx.api.remove(endpoints.cancelBacktest(request.params.id), authOf(request));
    return reply.redirect(`/backtests/${encodeURIComponent(request.params.id)}`, 303);
  });
};
