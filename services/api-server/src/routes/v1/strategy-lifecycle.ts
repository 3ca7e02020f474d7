import {
  ApiErrorCode,
  CommandResultResponse,
  MessageType,
  RemoveStrategyResponse,
  RestartStrategyBody,
  StrategyIdParams,
} from '@btc-research/contracts';
import { LIVE_STRATEGY_STATUSES, type StrategyRecord } from '@btc-research/platform';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { requireStrategy, type ApiContext, type RouteOptions } from '../../context.js';
import { principalOf } from '../../plugins/auth.js';
import { CLAIM_MARGIN_MS, claimStart, errors, followUp, publishCommand } from './strategy-commands.js';

const tags = ['strategies'];

const ForceExitBody = z
  .object({ note: z.string().max(500).optional().describe('why, kept in the logs (the order\'s reason is always "forced")') })
  .strict()
  .meta({ id: 'ForceExitRequest' });

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
 * A strategy's life after its start: restart a stopped one (a new run of the same id, config and
 * cash), remove a stopped one with everything stored for it, and force the exit of an open position.
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
      let started: Awaited<ReturnType<typeof publishCommand>>;
      try {
        started = await publishCommand(ctx, { type: MessageType.strategyStart, strategyId: record.id, payload, correlationId: String(request.id), waitMs }, (s) => s !== 'stopped');
      } catch (error) {
        await ctx.store.settleStrategyStart(record.id, owner);
        throw error;
      }
      const { commandId, awaited } = started;
      if (awaited) await ctx.store.settleStrategyStart(record.id, owner);
      if (awaited?.status === 'error') {
        throw new ApiError(422, ApiErrorCode.strategyStartFailed, `the paper-trader could not restart "${record.id}": ${awaited.error ?? 'unknown error'}`, { strategyId: record.id, commandId });
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

  app.post(
    '/strategies/:id/force-exit',
    {
      config: { scope: 'control' },
      schema: {
        tags,
        operationId: 'forceExitStrategy',
        summary: 'Close the open position now with a market order through the strategy\'s own core (reason "forced"); the strategy keeps running',
        description:
          'Answers 202: the paper-trader closes the position before its next market input and the fill arrives like any other (GET trades, or the events stream). 409 NO_OPEN_POSITION when flat; 409 CONFLICT when the strategy is not running.',
        params: StrategyIdParams,
        body: ForceExitBody.nullish(),
        response: { 202: CommandResultResponse, ...errors },
      },
    },
    async (request, reply) => {
      const record = await requireStrategy(ctx, request.params.id);
      if (!LIVE_STRATEGY_STATUSES.has(record.status)) throw new ApiError(409, ApiErrorCode.conflict, `strategy "${record.id}" is ${record.status}; only a running strategy can be force-exited`, { status: record.status });
      const state = await ctx.store.loadState(record.id);
      if (!state || Number(state.positionQty) === 0) throw new ApiError(409, ApiErrorCode.noOpenPosition, `strategy "${record.id}" holds no position`);
      const body = ForceExitBody.parse(request.body ?? {});
      // no status change follows a force exit: nothing to wait for, the fill is the answer
      const { commandId } = await publishCommand(
        ctx,
        { type: MessageType.strategyForceExit, strategyId: record.id, payload: { strategyId: record.id, note: body.note ?? 'forced from the API' }, correlationId: String(request.id), waitMs: 0 },
        () => false,
      );
      request.log.info({ strategyId: record.id, positionQty: state.positionQty, commandId }, 'force exit sent');
      return reply
        .code(202)
        .send({ strategyId: record.id, commandId, accepted: false, status: record.status, statusUrl: `/api/v1/strategies/${record.id}/trades`, eventsUrl: `/api/v1/events?strategyId=${record.id}&types=fill` });
    },
  );
};
