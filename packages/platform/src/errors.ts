/**
 * Boundary and operational errors (convention 8, kind 3). Every class has a stable `code` from the
 * catalogue below; codes are never reused. Business outcomes are data, not these errors.
 */
export const ErrorCode = {
  validationFailed: 'VALIDATION_FAILED',
  notFound: 'NOT_FOUND',
  conflict: 'CONFLICT',
  upstreamUnavailable: 'UPSTREAM_UNAVAILABLE',
  configInvalid: 'CONFIG_INVALID',
  dataCorrupted: 'DATA_CORRUPTED',
  marketDataGap: 'MARKET_DATA_GAP',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface AppErrorOptions {
  cause?: unknown;
  /** structured, JSON-safe details (field paths, ids); never secrets */
  details?: Record<string, unknown>;
}

export abstract class AppError extends Error {
  abstract readonly code: ErrorCode;
  /** true when the same operation may succeed if retried later */
  readonly isRetryable: boolean = false;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details;
  }
}

export class ValidationError extends AppError {
  override readonly name = 'ValidationError';
  readonly code = ErrorCode.validationFailed;
}

export class NotFoundError extends AppError {
  override readonly name = 'NotFoundError';
  readonly code = ErrorCode.notFound;
}

export class ConflictError extends AppError {
  override readonly name = 'ConflictError';
  readonly code = ErrorCode.conflict;
}

export class UpstreamUnavailableError extends AppError {
  override readonly name = 'UpstreamUnavailableError';
  readonly code = ErrorCode.upstreamUnavailable;
  override readonly isRetryable = true;
}

/** Invalid deploy configuration; services exit with code 78 (EX_CONFIG). */
export class ConfigError extends AppError {
  override readonly name = 'ConfigError';
  readonly code = ErrorCode.configInvalid;
}

/** Stored data that cannot be read back (a corrupt file or row), naming what and where. */
export class DataCorruptedError extends AppError {
  override readonly name = 'DataCorruptedError';
  readonly code = ErrorCode.dataCorrupted;
}

/** A hole in a market-data series that the source neither filled nor confirmed as a venue gap. */
export class MarketDataGapError extends AppError {
  override readonly name = 'MarketDataGapError';
  readonly code = ErrorCode.marketDataGap;
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
