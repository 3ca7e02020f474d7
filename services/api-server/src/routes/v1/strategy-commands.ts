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
import { LIVE_STRATEGY_STATUSES, type StartClaimRequest } from '@btc-research/platform';
import { ApiError, yamlTooLarge } from '../../errors.js';
import { requireStrategy, type ApiContext, type RouteOptions } from '../../context.js';
import { awaitStatus } from '../../live/await-status.js';
import { startSymbolOf, watchServed } from '../../live/await-served.js';
import { principalOf } from '../../plugins/auth.js';
import { readConfig } from '../../read-model/config-catalog.js';
import { validateStrategyYaml, yamlSizeProblem } from '../../read-model/config-validator.js';

export const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 404: ApiErrorBody, 409: ApiErrorBody, 422: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };
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

export function followUp(id: string): Pick<CommandResult, 'statusUrl' | 'eventsUrl'> {
  return { statusUrl: `/api/v1/strategies/${id}/status`, eventsUrl: `/api/v1/events?strategyId=${id}&types=status` };
}

export async function publishCommand(
  ctx: ApiContext,
  input: { type: typeof MessageType.strategyStart | typeof MessageType.strategyStop | typeof MessageType.strategyForceExit; strategyId: string; payload: unknown; correlationId: string; waitMs: number },
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

/** the config name of YAML sent in the body without any name (neither `name` nor the YAML's own) */
const UPLOADED_CONFIG_NAME = 'api-upload.yaml';

/**
 * A start without an explicit strategyId of a config that already runs (the same file from config/,
 * or the same uploaded YAML) is refused: starting it twice is done by asking for another id.
 */
async function refuseSecondCopy(ctx: ApiContext, config: { configName: string } | { configYaml: string }): Promise<void> {
  const running = (await ctx.store.listStrategies()).filter(
    (s) => LIVE_STRATEGY_STATUSES.has(s.status) && ('configName' in config ? s.configName === config.configName : s.configYaml === config.configYaml),
  );
  if (running.length === 0) return;
  const ids = running.map((s) => s.id);
  throw new ApiError(
    409,
    ApiErrorCode.strategyAlreadyRunning,
    `this config already runs as ${ids.map((id) => `"${id}"`).join(', ')}; to start another copy, send a new strategyId`,
    { runningIds: ids },
  );
}

/** a start claim outlives the wait for the paper-trader's answer by this much (a slow answer still finds it) */
export const CLAIM_MARGIN_MS = 60_000;

export async function claimStart(ctx: ApiContext, request: StartClaimRequest): Promise<void> {
  const claim = await ctx.store.claimStrategyStart(request);
  switch (claim.outcome) {
    case 'claimed':
      return;
    case 'in-progress':
      throw new ApiError(409, ApiErrorCode.conflict, `strategy "${request.strategyId}" is being started by another request`);
    case 'live':
      throw new ApiError(409, ApiErrorCode.conflict, `strategy "${request.strategyId}" is already ${claim.status}`);
    case 'limit-reached':
      throw new ApiError(
        429,
        ApiErrorCode.strategyLimitReached,
        `this key already runs ${claim.live} strategies, its limit (API_MAX_RUNNING_PER_KEY=${claim.limit}); stop one before starting another`,
        { running: claim.live, limit: claim.limit },
      );
  }
}

/** the config a start names (a file in config/) or carries (YAML in the body), validated, with the name it is stored under */
async function startConfigOf(ctx: ApiContext, body: StartStrategyBody): Promise<{ yaml: string; configName: string; name: string | undefined }> {
  let yaml: string;
  let configName: string;
  if (body.configName !== undefined) {
    const text = await readConfig(ctx.configDir, body.configName);
    if (text === null) throw new ApiError(404, ApiErrorCode.configNotFound, `no config "${body.configName}" in the config directory`);
    yaml = text;
    configName = body.configName;
  } else {
    yaml = body.configYaml ?? '';
    configName = UPLOADED_CONFIG_NAME;
    const tooLarge = yamlSizeProblem(Buffer.byteLength(yaml));
    if (tooLarge !== null) throw yamlTooLarge(tooLarge);
  }
  const validation = validateStrategyYaml(yaml, configName);
  if (validation.problems.length > 0) {
    throw new ApiError(422, ApiErrorCode.configInvalid, `the strategy config has ${validation.problems.length} problem(s)`, { problems: validation.problems });
  }
  // an uploaded config keeps a name: the one given, else the YAML's, as `<slug>.yaml`
  const name = body.name ?? validation.name ?? undefined;
  if (body.configYaml !== undefined && name !== undefined) configName = `${slug(name)}.yaml`;
  return { yaml, configName, name };
}

/**
 * Sends a start its claim allows and waits for the answer. Answered (or not sent): the claim is
 * settled and the record speaks from now on. Unanswered (202): the claim stands until it lapses.
 * On a Binance feed that does not serve the symbol yet, the paper-trader's warm-up is not the answer:
 * the wait goes on (same deadline) until the feed serves it or the stream-manager fails the strategy
 * (the venue does not list it), which is answered as the strategy's error.
 */
export async function publishStart(
  ctx: ApiContext,
  o: { strategyId: string; owner: string; payload: { configYaml: string; configName: string }; correlationId: string; waitMs: number },
): Promise<Awaited<ReturnType<typeof publishCommand>>> {
  const served = watchServed(ctx.hub, o.strategyId, startSymbolOf(o.payload.configYaml, o.payload.configName), o.waitMs);
  let started: Awaited<ReturnType<typeof publishCommand>>;
  try {
    started = await publishCommand(ctx, { type: MessageType.strategyStart, strategyId: o.strategyId, payload: o.payload, correlationId: o.correlationId, waitMs: o.waitMs }, (s) => s !== 'stopped');
  } catch (error) {
    served.cancel();
    await ctx.store.settleStrategyStart(o.strategyId, o.owner);
    throw error;
  }
  if (started.awaited && started.awaited.status !== 'error' && served.mustWait()) {
    const answer = await served.result;
    if (answer.outcome === 'failed') started = { ...started, awaited: { status: 'error', error: answer.error } };
    else if (answer.outcome === 'timeout') ctx.log.warn({ strategyId: o.strategyId }, 'start confirmed by the paper-trader; the feed does not serve its symbol yet and the stream-manager has not answered in time');
  }
  served.cancel();
  if (started.awaited) await ctx.store.settleStrategyStart(o.strategyId, o.owner);
  return started;
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
      const { yaml, configName, name } = await startConfigOf(ctx, body);
      if (body.strategyId === undefined) await refuseSecondCopy(ctx, body.configName !== undefined ? { configName } : { configYaml: yaml });
      const strategyId = body.strategyId ?? `${slug(body.configName ?? name ?? 'strategy')}-${randomBytes(3).toString('hex')}`;
      const waitMs = body.waitMs ?? ctx.commandWaitMs;
      const owner = principalOf(request, ctx.auth, ctx.tokens).clientId;
      // one atomic claim in the store, not a read then a write: of concurrent starts of one id
      // exactly one gets here, and a key cannot run more than its cap
      await claimStart(ctx, { strategyId, owner, ttlMs: waitMs + CLAIM_MARGIN_MS, maxLivePerOwner: ctx.maxRunningStrategiesPerClient });
      const payload = { strategyId, configName, configYaml: yaml, ...(body.name !== undefined ? { name: body.name } : {}), ...(body.initialCash !== undefined ? { initialCash: body.initialCash } : {}) };
      const { commandId, awaited } = await publishStart(ctx, { strategyId, owner, payload, correlationId: String(request.id), waitMs });
      if (awaited?.status === 'error') {
        throw new ApiError(422, ApiErrorCode.strategyStartFailed, `strategy "${strategyId}" could not start: ${awaited.error ?? 'unknown error'}`, { strategyId, commandId });
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
