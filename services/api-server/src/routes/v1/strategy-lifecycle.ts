import {
  ApiErrorCode,
  CommandResultResponse,
  RemoveStrategyResponse,
  RestartStrategyBody,
  StrategyIdParams,
} from '@btc-research/contracts';
import { LIVE_STRATEGY_STATUSES, type StrategyRecord } from '@btc-research/platform';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { requireStrategy, type ApiContext, type RouteOptions } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { CLAIM_MARGIN_MS, claimStart, errors, followUp, publishStart } from './strategy-commands.js';

const tags = ['strategies'];

function refuseUnlessStopped(record: StrategyRecord, action: string): void {
  if (LIVE_STRATEGY_STATUSES.has(record.status)) {
    throw new ApiError(409, ApiErrorCode.strategyNotStopped, `strategy "${record.id}" is ${record.status}; stop it before you ${action} it`, { status: record.status });
  }
}

/** A removed strategy must not be served from the read cache even once (stale-while-revalidate would). */
function forget(ctx: ApiContext, id: string): void {
  ctx.cache.drop('active');
  ctx.cache.drop(`strategy:${id}:`);
}

/**
 * A stopped strategy's next step: restart it (a new run of the same id, config and cash), or remove
 * it with everything stored for it.
 */
export const strategyLifecycleRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.post(
    '/strategies/:id/restart',
    {
      config: { scope: 'control' },
      schema: {
        tags,
        operationId: 'restartStrategy',
        summary: 'Start a stopped strategy again: a new run with the same id, config and initial cash (409 STRATEGY_NOT_STOPPED while it runs)',
        params: StrategyIdParams,
        body: RestartStrategyBody.nullish(),
        response: { 201: CommandResultResponse, 202: CommandResultResponse, ...errors },
      },
    },
    async (request, reply) => {
      const record = await requireStrategy(ctx, request.params.id);
      refuseUnlessStopped(record, 'restart');
      const body = RestartStrategyBody.parse(request.body ?? {});
      const waitMs = body.waitMs ?? ctx.commandWaitMs;
      const owner = principalOf(request, ctx.auth, ctx.tokens).clientId;
      await claimStart(ctx, { strategyId: record.id, owner, ttlMs: waitMs + CLAIM_MARGIN_MS, maxLivePerOwner: ctx.maxRunningStrategiesPerClient });
      const payload = { strategyId: record.id, configName: record.configName, configYaml: record.configYaml, initialCash: record.initialCash };
      const { commandId, awaited } = await publishStart(ctx, { strategyId: record.id, owner, payload, correlationId: String(request.id), waitMs });
      if (awaited?.status === 'error') {
        throw new ApiError(422, ApiErrorCode.strategyStartFailed, `strategy "${record.id}" could not restart: ${awaited.error ?? 'unknown error'}`, { strategyId: record.id, commandId });
      }
      return reply
        .code(awaited ? 201 : 202)
        .send({ strategyId: record.id, commandId, accepted: awaited !== null, status: awaited?.status ?? null, ...followUp(record.id) });
    },
  );

  app.delete(
    '/strategies/:id',
    {
      config: { scope: 'control' },
      schema: {
        tags,
        operationId: 'removeStrategy',
        summary: 'Remove a stopped strategy and everything stored for it (409 STRATEGY_NOT_STOPPED while it runs)',
        params: StrategyIdParams,
        response: { 200: RemoveStrategyResponse, ...errors },
      },
    },
    async (request) => {
      const record = await requireStrategy(ctx, request.params.id);
      refuseUnlessStopped(record, 'remove');
      // the start claim keeps a concurrent restart of this id out while it is removed
      const owner = principalOf(request, ctx.auth, ctx.tokens).clientId;
      const claim = await ctx.store.claimStrategyStart({ strategyId: record.id, owner, ttlMs: 30_000, maxLivePerOwner: null });
      if (claim.outcome !== 'claimed') throw new ApiError(409, ApiErrorCode.strategyNotStopped, `strategy "${record.id}" is being started; it was not removed`);
      const removed = await ctx.store.deleteStrategy(record.id);
      forget(ctx, record.id);
      if (!removed) throw new ApiError(404, ApiErrorCode.strategyNotFound, `strategy "${record.id}" does not exist`);
      request.log.info({ strategyId: record.id }, 'strategy removed');
      return { strategyId: record.id, removed: true as const };
    },
  );
};
