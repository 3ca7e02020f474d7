import { ApiErrorBody, ApiErrorCode, BacktestIdParams, BacktestJobResponse, CreateBacktestBody, CreateBacktestResponse } from '@btc-research/contracts';
import { buildTradingSetup } from '@btc-research/engine';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError, yamlTooLarge } from '../../errors.js';
import { requireStrategy, type ApiContext, type RouteOptions } from '../../context.js';
import { readConfig } from '../../read-model/config-catalog.js';
import { validateStrategyYaml, yamlSizeProblem } from '../../read-model/config-validator.js';
import type { BacktestSpec } from '../../backtests/backtest-jobs.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody, 413: ApiErrorBody, 422: ApiErrorBody, 429: ApiErrorBody };
const tags = ['backtests'];

/** The config of a request (a file of config/, pasted YAML or a strategy's own), validated. */
async function configOf(ctx: ApiContext, body: CreateBacktestBody): Promise<{ yaml: string; configName: string; strategyId: string | null }> {
  if (body.strategyId !== undefined) {
    const record = await requireStrategy(ctx, body.strategyId);
    return { yaml: record.configYaml, configName: record.configName, strategyId: record.id };
  }
  if (body.configName !== undefined) {
    const text = await readConfig(ctx.configDir, body.configName);
    if (text === null) throw new ApiError(404, ApiErrorCode.configNotFound, `no config "${body.configName}" in the config directory`);
    return { yaml: text, configName: body.configName, strategyId: null };
  }
  const yaml = body.yaml ?? '';
  const tooLarge = yamlSizeProblem(Buffer.byteLength(yaml));
  if (tooLarge !== null) throw yamlTooLarge(tooLarge);
  return { yaml, configName: 'backtest-upload.yaml', strategyId: null };
}

/**
 * Backtests from the browser: POST creates a job (202 with its id), GET follows it (status, progress,
 * then the report), DELETE cancels it. Jobs run in child processes, BACKTEST_CONCURRENCY at once.
 */
export const backtestRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.post(
    '/backtests',
    {
      config: { scope: 'control' },
      schema: {
        tags,
        operationId: 'createBacktest',
        summary: 'Backtest a config over the market log or a kline CSV, off the trading path; follow it at the returned statusUrl',
        body: CreateBacktestBody,
        response: { 202: CreateBacktestResponse, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const config = await configOf(ctx, body);
      const validation = validateStrategyYaml(config.yaml, config.configName);
      if (validation.problems.length > 0) {
        throw new ApiError(422, ApiErrorCode.configInvalid, `the strategy config has ${validation.problems.length} problem(s)`, { problems: validation.problems });
      }
      const setup = buildTradingSetup(config.yaml, config.configName, { strategyId: 'backtest' });
      if (!setup.ok) throw new ApiError(422, ApiErrorCode.configInvalid, 'the strategy config does not compile', { problems: setup.errors });
      const spec: BacktestSpec = {
        ...config,
        source: body.source,
        symbol: body.symbol ?? setup.config.marketSymbol,
        file: body.file ?? null,
        from: body.from ?? null,
        to: body.to ?? null,
        warmupMinutes: setup.strategy.warmup.totalMinutes,
      };
      const id = ctx.backtests.create(spec);
      const statusUrl = `/api/v1/backtests/${id}`;
      return reply.code(202).header('location', statusUrl).send({ id, statusUrl });
    },
  );

  app.get(
    '/backtests/:id',
    {
      config: { scope: 'read' },
      schema: { tags, operationId: 'getBacktest', summary: 'A backtest job: status, progress and, once done, its report', params: BacktestIdParams, response: { 200: BacktestJobResponse, ...errors } },
    },
    async (request) => {
      const job = ctx.backtests.get(request.params.id);
      if (!job) throw new ApiError(404, ApiErrorCode.notFound, `no backtest "${request.params.id}" (finished jobs are kept for a while, in memory)`);
      return job;
    },
  );

  app.delete(
    '/backtests/:id',
    {
      config: { scope: 'control' },
      schema: { tags, operationId: 'cancelBacktest', summary: 'Cancel a queued or running backtest (409 once it has finished)', params: BacktestIdParams, response: { 200: BacktestJobResponse, ...errors } },
    },
    async (request) => {
      const cancelled = ctx.backtests.cancel(request.params.id);
      if (cancelled === null) throw new ApiError(404, ApiErrorCode.notFound, `no backtest "${request.params.id}"`);
      if (!cancelled) throw new ApiError(409, ApiErrorCode.conflict, `backtest "${request.params.id}" has finished already`);
      return ctx.backtests.get(request.params.id)!;
    },
  );
};
