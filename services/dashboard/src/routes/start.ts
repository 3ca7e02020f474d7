import { randomBytes } from 'node:crypto';
import { ApiErrorCode, type StartStrategyBody } from '@btc-research/contracts';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { z } from 'zod';
import { ApiError, gatewayStatusOf, messageOf } from '../api/api-errors.js';
import type { ApiAuth } from '../api/api-client.js';
import { endpoints } from '../api/endpoints.js';
import type { DashboardContext, RouteOptions } from '../context.js';
import { configProblemsOf, loadConfigs, problemsOf, type YamlProblem } from '../page-data/start.js';
import { field, filledField } from '../plugins/form-fields.js';
import { jsonRoute, wantsJson } from '../plugins/json-answers.js';
import { refuseCrossSite } from '../plugins/same-origin.js';
import { authOf } from '../plugins/session.js';

/**
 * The start form's fields as the API's StartStrategyBody: pasted YAML wins over a picked config.
 * "Start another copy" (anotherCopy=1) sends a new id, so the API starts a config that already runs.
 */
function startBodyOf(form: unknown): z.input<typeof StartStrategyBody> | null {
  const configYaml = filledField(form, 'configYaml');
  const configName = configYaml === undefined ? filledField(form, 'configName') : undefined;
  if (configYaml === undefined && configName === undefined) return null;
  const name = filledField(form, 'name');
  const initialCash = filledField(form, 'initialCash');
  const strategyId = filledField(form, 'strategyId') ?? (field(form, 'anotherCopy') === '1' ? copyIdOf(name ?? configName ?? 'strategy') : undefined);
  return { ...(configYaml !== undefined ? { configYaml } : { configName }), ...(strategyId ? { strategyId } : {}), ...(name ? { name } : {}), ...(initialCash ? { initialCash } : {}) };
}

/** A fresh id for another copy: the config's name as a slug and a random suffix, e.g. demo-rsi-copy-3fa9c1. */
function copyIdOf(base: string): string {
  const slug = base.toLowerCase().replace(/\.ya?ml$/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
  return `${slug.length > 0 ? slug : 'strategy'}-copy-${randomBytes(3).toString('hex')}`;
}

/** What a refused second start offers: the same form again as "Start another copy". */
interface CopyOffer {
  runningIds: string[];
  configName: string | null;
  configYaml: string | null;
  name: string | null;
  initialCash: string | null;
}

function copyOfferOf(err: unknown, form: unknown): CopyOffer | null {
  if (!(err instanceof ApiError) || err.code !== ApiErrorCode.strategyAlreadyRunning) return null;
  const ids = (err.details as { runningIds?: unknown } | undefined)?.runningIds;
  const configYaml = filledField(form, 'configYaml') ?? null;
  return {
    runningIds: Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [],
    configYaml,
    configName: configYaml === null ? (filledField(form, 'configName') ?? null) : null,
    name: filledField(form, 'name') ?? null,
    initialCash: filledField(form, 'initialCash') ?? null,
  };
}

interface StartForm {
  selected: string;
  yaml: string;
  problems: YamlProblem[];
  startError: string | null;
  copyOffer?: CopyOffer | null;
}

async function startPage(ctx: DashboardContext, reply: FastifyReply, auth: ApiAuth | undefined, form: StartForm, status = 200): Promise<FastifyReply> {
  const configs = await loadConfigs(ctx.api, auth);
  return reply.page('start', { title: 'Start a strategy', ...configs, ...form }, status);
}

/** `/start`: start a strategy from a config in config/ or from pasted YAML, validated first. */
export const startRoutes: FastifyPluginAsync<RouteOptions> = async (app, { ctx }) => {
  app.get('/start', async (request, reply) =>
    startPage(ctx, reply, authOf(request), { selected: field(request.query, 'config') ?? '', yaml: '', problems: [], startError: null }),
  );

  /** Validation for the start form (JSON in, JSON out); the browser shows problems at their lines. */
  app.post('/start/validate', { ...jsonRoute, preHandler: refuseCrossSite }, async (request, reply) => {
    const yaml = field(request.body, 'yaml');
    if (yaml === undefined) return reply.status(400).send({ error: 'send { yaml }' });
    try {
      const result = await ctx.api.send(endpoints.validateConfig(), { yaml }, authOf(request));
      return { isValid: result.isValid, name: result.name, problems: result.problems };
    } catch (err) {
      if (err instanceof ApiError && (err.status === 400 || err.status === 422)) return { isValid: false, name: null, problems: problemsOf(err) };
      throw err;
    }
  });

  /** Starts a strategy. Works as a plain form post (redirect, or the form again with the problems) and from fetch(). */
  app.post('/start', { preHandler: refuseCrossSite }, async (request, reply) => {
    const auth = authOf(request);
    const body = startBodyOf(request.body);
    const yaml = field(request.body, 'configYaml') ?? '';
    const selected = field(request.body, 'configName') ?? '';
    try {
      if (body === null) throw new ApiError('Pick a config or paste a strategy YAML.', 400, endpoints.startStrategy().path);
      const result = await ctx.api.send(endpoints.startStrategy(), body, auth);
      if (wantsJson(request)) return result;
      return await reply.redirect(`/strategies/${encodeURIComponent(result.strategyId)}${result.accepted ? '' : '?started=1'}`, 303);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401 && !ctx.api.hasApiKey) throw err; // the error handler asks for credentials
      const problems = configProblemsOf(err);
      if (wantsJson(request)) return reply.status(gatewayStatusOf(err)).send({ error: messageOf(err), problems });
      const status = err instanceof ApiError && err.status >= 400 && err.status < 500 ? 422 : 502;
      return startPage(ctx, reply, auth, { selected, yaml, problems, startError: messageOf(err), copyOffer: copyOfferOf(err, request.body) }, err instanceof ApiError && err.status === 409 ? 409 : status);
    }
  });
};
