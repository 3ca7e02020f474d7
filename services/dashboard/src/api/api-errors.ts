import { ApiErrorBody, type ApiErrorCode } from '@btc-research/contracts';

/** The API answered with an error status (or could not be reached: status 0). */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    message: string,
    readonly status: number,
    readonly path: string,
    /** the API's stable error code, when it answered with its error body */
    readonly code: ApiErrorCode | null = null,
    /** `error.details` of the API's error body */
    readonly details: unknown = undefined,
  ) {
    super(message);
  }
}

/** A 2xx answer that does not match its contract schema: the API and the dashboard disagree. */
export class ApiContractError extends Error {
  override readonly name = 'ApiContractError';

  constructor(
    readonly method: string,
    readonly path: string,
    /** "where: what" of each mismatch, e.g. "items.0.pnl: expected string, received undefined" */
    readonly issues: readonly string[],
  ) {
    super(`${method} ${path.split('?')[0] ?? path} answered outside its contract: ${issues.slice(0, 3).join('; ')}${issues.length > 3 ? ` (+${issues.length - 3} more)` : ''}`);
  }
}

/** Builds the ApiError of a non-2xx answer from the API's one error shape. */
export function apiErrorFrom(status: number, statusText: string, path: string, body: unknown): ApiError {
  const parsed = ApiErrorBody.safeParse(body);
  if (parsed.success) return new ApiError(parsed.data.error.message, status, path, parsed.data.error.code, parsed.data.error.details);
  return new ApiError(`the API answered ${status} ${statusText}`.trim(), status, path);
}

/** The API wants credentials (401) or refuses them (403): the route redirects or says so. */
export function isAuthError(err: unknown): err is ApiError {
  return err instanceof ApiError && (err.status === 401 || err.status === 403);
}

/** The status a dashboard answer gets for a failed API call: the API's own, else 502 (bad gateway). */
export function gatewayStatusOf(err: unknown): number {
  if (err instanceof ApiError && err.status > 0) return err.status;
  if (err instanceof ApiError || err instanceof ApiContractError) return 502;
  return 500;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
