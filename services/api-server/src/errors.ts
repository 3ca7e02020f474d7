import { ApiErrorCode } from '@btc-research/contracts';

/** A boundary error of the API: a stable code, an HTTP status and optional structured details. */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function strategyNotFound(id: string): ApiError {
  return new ApiError(404, ApiErrorCode.strategyNotFound, `strategy "${id}" does not exist`);
}

export function unauthenticated(message = 'missing credentials: send an API key (X-API-Key) or a bearer token'): ApiError {
  return new ApiError(401, ApiErrorCode.unauthenticated, message);
}

export function forbidden(scope: string): ApiError {
  return new ApiError(403, ApiErrorCode.forbidden, `this credential lacks the "${scope}" scope`);
}

/** Maps codes of errors from other packages (platform's error classes carry a stable `code`) to HTTP. */
export const foreignCodeStatus: Readonly<Record<string, { status: number; code: ApiErrorCode }>> = {
  VALIDATION_FAILED: { status: 400, code: ApiErrorCode.validationFailed },
  NOT_FOUND: { status: 404, code: ApiErrorCode.notFound },
  CONFLICT: { status: 409, code: ApiErrorCode.conflict },
  CONFIG_ERROR: { status: 422, code: ApiErrorCode.configInvalid },
  CONFIG_INVALID: { status: 422, code: ApiErrorCode.configInvalid },
  UPSTREAM_UNAVAILABLE: { status: 503, code: ApiErrorCode.upstreamUnavailable },
};

/** 413 for strategy YAML over the one size limit. */
export function yamlTooLarge(message: string): ApiError {
  return new ApiError(413, ApiErrorCode.payloadTooLarge, message);
}
