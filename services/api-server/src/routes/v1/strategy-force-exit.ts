import { ApiErrorCode, CommandResultResponse, MessageType, StrategyIdParams } from '@btc-research/contracts';
import { LIVE_STRATEGY_STATUSES } from '@btc-research/platform';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError } from '../../errors.js';
import { requireStrategy, type RouteOptions } from '../../context.js';
import { errors, publishCommand } from './strategy-commands.js';

const tags = ['strategies'];

const ForceExitBody = z
  .object({ note: z.string().max(500).optional().describe('why, kept in the logs (the order\'s reason is always "forced")') })
  .strict()
  .meta({ id: 'ForceExitRequest' });

/** POST /strategies/{id}/force-exit: close a running strategy's open position now, through its own core. */
export const strategyForceExitRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
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
