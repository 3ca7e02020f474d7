import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { ApiErrorCode, MAX_STRATEGY_YAML_BYTES, type ApiErrorBody } from '@btc-research/contracts';
import { ApiError, foreignCodeStatus } from '../errors.js';

const statusCodes: Readonly<Record<number, ApiErrorCode>> = {
  400: ApiErrorCode.badRequest,
  401: ApiErrorCode.unauthenticated,
  403: ApiErrorCode.forbidden,
  404: ApiErrorCode.notFound,
  405: ApiErrorCode.methodNotAllowed,
  409: ApiErrorCode.conflict,
  413: ApiErrorCode.payloadTooLarge,
  414: ApiErrorCode.uriTooLong,
  415: ApiErrorCode.unsupportedMediaType,
  429: ApiErrorCode.rateLimited,
};

/** the app's bodyLimit (app.ts), as said in the 413 message */
export const REQUEST_BODY_LIMIT_BYTES = 1_048_576;
const REQUEST_BODY_LIMIT_TEXT = '1 MiB';

/** network errors of a backing service (Redis, PostgreSQL): 503, retryable */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', '57P01', '57P03', '08006', '08001']);

interface Normalised {
  status: number;
  code: ApiErrorCode;
  message: string;
  details?: unknown;
}

/** Maps anything thrown to one status, code and message (trpc's getTRPCErrorFromUnknown). */
export function normaliseError(error: unknown): Normalised {
  if (error instanceof ApiError) return { status: error.statusCode, code: error.code, message: error.message, details: error.details };
  const err = error as Partial<FastifyError> & { validation?: unknown; code?: unknown; statusCode?: unknown };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = (err.validation as { instancePath: string; message?: string; params?: { issue?: { path?: unknown } } }[]).map((v) => ({
      path: v.instancePath.replace(/^\//, '').replaceAll('/', '.'),
      message: v.message ?? 'invalid',
    }));
    const where = (err as { validationContext?: string }).validationContext ?? 'request';
    const first = issues[0];
    return {
      status: 400,
      code: ApiErrorCode.validationFailed,
      message: `invalid ${where}${first ? `: ${first.path ? `${first.path}: ` : ''}${first.message}` : ''}`,
      details: { in: where, issues },
    };
  }
  if (isResponseSerializationError(error)) return { status: 500, code: ApiErrorCode.internalError, message: 'internal error' };
  const code = typeof err.code === 'string' ? err.code : '';
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (error instanceof SyntaxError && err.statusCode === 400)) {
    return { status: 400, code: ApiErrorCode.invalidJson, message: 'the request body is not valid JSON' };
  }
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, code: ApiErrorCode.payloadTooLarge, message: `the request body is larger than the ${REQUEST_BODY_LIMIT_TEXT} the API accepts (strategy YAML: at most ${MAX_STRATEGY_YAML_BYTES} bytes)` };
  }
  if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return { status: 400, code: ApiErrorCode.invalidJson, message: 'the request body is empty but Content-Type is application/json' };
  if (UNREACHABLE.has(code)) return { status: 503, code: ApiErrorCode.upstreamUnavailable, message: 'a backing service (store or bus) is unreachable; retry later' };
  const foreign = foreignCodeStatus[code];
  if (foreign) return { status: foreign.status, code: foreign.code, message: err.message ?? foreign.code };
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 400 && status < 500) {
    return { status, code: statusCodes[status] ?? ApiErrorCode.badRequest, message: err.message ?? 'bad request' };
  }
  if (status === 503) return { status, code: ApiErrorCode.upstreamUnavailable, message: err.message ?? 'unavailable' };
  return { status: 500, code: ApiErrorCode.internalError, message: 'internal error' };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, n: Normalised): FastifyReply {
  const body: ApiErrorBody = { error: { code: n.code, message: n.message, requestId: String(request.id) } };
  if (n.details !== undefined) body.error.details = n.details;
  return reply.code(n.status).type('application/json; charset=utf-8').serializer(JSON.stringify).send(body);
}

/** One error handler for the whole app: every error leaves as `{ error: { code, message, requestId, details? } }`. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const n = normaliseError(error);
    if (n.status >= 500) request.log.error({ err: error, correlationId: request.id }, 'request failed');
    else request.log.debug({ code: n.code, correlationId: request.id }, 'request rejected');
    return sendError(request, reply, n);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, { status: 404, code: ApiErrorCode.routeNotFound, message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}` }),
  );
}
