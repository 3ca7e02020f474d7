import { randomBytes, randomUUID } from 'node:crypto';
import {
  ApiErrorBody,
  ApiErrorCode,
  CommandResultResponse,
  MessageType,
  StartStrategyBody,
  StopStrategyBody,
  StrategyIdParams,
  StreamRetention,
  Streams,
  makeEnvelope,
  type CommandResultResponse as CommandResult,
  type StrategyStatusValue,
} from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import { requireStrategy, type ApiContext, type RouteOptions } from '../../context.js';
import { awaitStatus } from '../../live/await-status.js';
import { readConfig } from '../../read-model/config-catalog.js';
import { validateStrategyYaml } from '../../read-model/config-validator.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody, 422: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };
const tags = ['strategies'];

function slug(s: string): string {
  const base = s
    .toLowerCase()
    .replace(/\.ya?ml$/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48);
  return base.length > 0 ? base : 'strategy';
}

function followUp(id: string): Pick<CommandResult, 'statusUrl' | 'eventsUrl'> {
  return { statusUrl: `/api/v1/strategies/${id}/status`, eventsUrl: `/api/v1/events?strategyId=${id}&types=status` };
}

async function publishCommand(
  ctx: ApiContext,
  input: { type: typeof MessageType.strategyStart | typeof MessageType.strategyStop; strategyId: string; payload: unknown; correlationId: string; waitMs: number },
  accept: (s: StrategyStatusValue) => boolean,
): Promise<{ commandId: string; awaited: { status: StrategyStatusValue; error: string | null } | null }> {
  const commandId = randomUUID();
  await ctx.hub.whenPositioned(Math.min(input.waitMs, 2_000));
  const waiter = awaitStatus(ctx.hub, input.strategyId, commandId, accept, input.waitMs);
  try {
    const t = ctx.now();
    const envelope = makeEnvelope({
      type: input.type,
      id: commandId,
      source: 'api-server',
      tsEvent: t,
      tsInit: t,
      correlationId: input.correlationId,
      payload: input.payload as never,
    });
    await ctx.bus.publish(Streams.commands(), envelope, StreamRetention.commands);
  } catch (error) {
    waiter.cancel();
    ctx.metrics.commandsSent.inc({ type: input.type, outcome: 'publish-failed' });
    throw new ApiError(503, ApiErrorCode.upstreamUnavailable, 'the command could not be sent to the paper-trader', undefined, { cause: error });
  }
  const awaited = await waiter.result;
  ctx.metrics.commandsSent.inc({ type: input.type, outcome: awaited ? awaited.status : 'pending' });
  ctx.cache.invalidate('active');
  ctx.cache.invalidate(`strategy:${input.strategyId}:`);
  return { commandId, awaited };
}

/**
 * Start and stop: commands over the bus to the paper-trader, then wait (up to waitMs) for its status
 * event. Confirmed → 200/201; not confirmed in time → 202 with URLs to follow the outcome.
 */
export const strategyCommandRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  app.post(
    '/strategies/start',
    {
      config: { scope: 'control' },
      schema: {
        tags,
        operationId: 'startStrategy', summary: 'Start a strategy from a config in config/ (configName) or from YAML in the body (configYaml)',
        body: StartStrategyBody,
        response: { 201: CommandResultResponse, 202: CommandResultResponse, ...errors },
      },
    },
    async (request, reply) => {
      const body = request.body;
      let yaml: string;
      let configName: string;
      if (body.configName !== undefined) {
        const text = await readConfig(ctx.configDir, body.configName);
        if (text === null) throw new ApiError(404, ApiErrorCode.configNotFound, `no config "${body.configName}" in the config directory`);
        yaml = text;
        configName = body.configName;
      } else {
        yaml = body.configYaml ?? '';
        configName = 'api-upload.yaml';
      }
      const validation = validateStrategyYaml(yaml, configName);
      if (validation.problems.length > 0) {
        throw new ApiError(422, ApiErrorCode.configInvalid, `the strategy config has ${validation.problems.length} problem(s)`, { problems: validation.problems });
      }
      const strategyId = body.strategyId ?? `${slug(body.configName ?? validation.name ?? 'strategy')}-${randomBytes(3).toString('hex')}`;
      const existing = await ctx.store.getStrategy(strategyId);
      if (existing && existing.status !== 'stopped' && existing.status !== 'error') {
        throw new ApiError(409, ApiErrorCode.conflict, `strategy "${strategyId}" is already ${existing.status}`);
      }
      const payload = { strategyId, configName, configYaml: yaml, ...(body.initialCash !== undefined ? { initialCash: body.initialCash } : {}) };
      const { commandId, awaited } = await publishCommand(
        ctx,
        { type: MessageType.strategyStart, strategyId, payload, correlationId: String(request.id), waitMs: body.waitMs ?? ctx.commandWaitMs },
        (s) => s !== 'stopped',
      );
      if (awaited?.status === 'error') {
        throw new ApiError(422, ApiErrorCode.strategyStartFailed, `the paper-trader could not start "${strategyId}": ${awaited.error ?? 'unknown error'}`, { strategyId, commandId });
      }
      return reply
        .code(awaited ? 201 : 202)
        .header('location', `/api/v1/strategies/${strategyId}/status`)
        .send({ strategyId, commandId, accepted: awaited !== null, status: awaited?.status ?? null, ...followUp(strategyId) });
    },
  );

  app.post(
    '/strategies/:id/stop',
    {
      config: { scope: 'control' },
      schema: {
        tags,
        operationId: 'stopStrategy', summary: 'Stop a running strategy',
        params: StrategyIdParams,
        body: StopStrategyBody.nullish(),
        response: { 200: CommandResultResponse, 202: CommandResultResponse, ...errors },
      },
    },
    async (request, reply) => {
      const id = request.params.id;
      const record = await requireStrategy(ctx, id);
      const body = StopStrategyBody.parse(request.body ?? {});
      if (record.status === 'stopped') {
        return reply.code(200).send({ strategyId: id, commandId: '', accepted: true, status: 'stopped' as const, ...followUp(id) });
      }
      const { commandId, awaited } = await publishCommand(
        ctx,
        { type: MessageType.strategyStop, strategyId: id, payload: { strategyId: id, reason: body.reason }, correlationId: String(request.id), waitMs: body.waitMs ?? ctx.commandWaitMs },
        (s) => s === 'stopped' || s === 'error',
      );
      return reply
        .code(awaited ? 200 : 202)
        .send({ strategyId: id, commandId, accepted: awaited !== null, status: awaited?.status ?? null, ...followUp(id) });
    },
  );
};
