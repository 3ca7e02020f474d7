import { describe, expect, it } from 'vitest';
import { AppError, ConfigError, ConflictError, isAppError, NotFoundError, UpstreamUnavailableError, ValidationError } from './errors.js';

describe('errors', () => {
  it('have stable codes, names and retryability', () => {
    const cases = [
      [new ValidationError('v'), 'ValidationError', 'VALIDATION_FAILED', false],
      [new NotFoundError('n'), 'NotFoundError', 'NOT_FOUND', false],
      [new ConflictError('c'), 'ConflictError', 'CONFLICT', false],
      [new UpstreamUnavailableError('u'), 'UpstreamUnavailableError', 'UPSTREAM_UNAVAILABLE', true],
      [new ConfigError('x'), 'ConfigError', 'CONFIG_INVALID', false],
    ] as const;
    for (const [err, name, code, isRetryable] of cases) {
      expect(err).toBeInstanceOf(AppError);
      expect(err).toBeInstanceOf(Error);
      expect(isAppError(err)).toBe(true);
      expect(err.name).toBe(name);
      expect(err.code).toBe(code);
      expect(err.isRetryable).toBe(isRetryable);
    }
    expect(isAppError(new Error('plain'))).toBe(false);
  });

  it('keep the cause and details when wrapping', () => {
    const cause = new Error('ECONNREFUSED');
    const err = new UpstreamUnavailableError('binance REST unavailable', { cause, details: { host: 'api.binance.com' } });
    expect(err.cause).toBe(cause);
    expect(err.details).toEqual({ host: 'api.binance.com' });
    expect(err.message).toBe('binance REST unavailable');
  });
});
