import { z } from 'zod';

/**
 * The one catalogue of REST error codes. Codes are stable and never reused; add, never rename.
 * Every error response is `{ error: { code, message, requestId, details? } }`.
 */
export const ApiErrorCode = {
  validationFailed: 'VALIDATION_FAILED',
  invalidJson: 'INVALID_JSON',
  unsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  payloadTooLarge: 'PAYLOAD_TOO_LARGE',
  uriTooLong: 'URI_TOO_LONG',
  notFound: 'NOT_FOUND',
  routeNotFound: 'ROUTE_NOT_FOUND',
  methodNotAllowed: 'METHOD_NOT_ALLOWED',
  unauthenticated: 'UNAUTHENTICATED',
  tokenExpired: 'TOKEN_EXPIRED',
  invalidToken: 'INVALID_TOKEN',
  forbidden: 'FORBIDDEN',
  conflict: 'CONFLICT',
  rateLimited: 'RATE_LIMITED',
  configInvalid: 'CONFIG_INVALID',
  configNotFound: 'CONFIG_NOT_FOUND',
  strategyNotFound: 'STRATEGY_NOT_FOUND',
  strategyStartFailed: 'STRATEGY_START_FAILED',
  /** the caller's key already runs as many strategies as it may (API_MAX_RUNNING_PER_KEY) */
  strategyLimitReached: 'STRATEGY_LIMIT_REACHED',
  /** the config already runs (ids in details.runningIds); start another copy by sending a new strategyId */
  strategyAlreadyRunning: 'STRATEGY_ALREADY_RUNNING',
  /** restart and remove need a stopped strategy (stopped or in error) */
  strategyNotStopped: 'STRATEGY_NOT_STOPPED',
  /** force exit asked of a strategy that holds no position */
  noOpenPosition: 'NO_OPEN_POSITION',
  feedUnavailable: 'FEED_UNAVAILABLE',
  upstreamUnavailable: 'UPSTREAM_UNAVAILABLE',
  badRequest: 'BAD_REQUEST',
  upgradeRequired: 'UPGRADE_REQUIRED',
  internalError: 'INTERNAL_ERROR',
} as const;
export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

const codes = Object.values(ApiErrorCode) as [ApiErrorCode, ...ApiErrorCode[]];

export const ApiErrorBody = z
  .object({
    error: z.object({
      code: z.enum(codes),
      message: z.string(),
      requestId: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'ApiError', description: 'The one error shape of the API.' });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;
