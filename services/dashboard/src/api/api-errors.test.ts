import { ApiErrorCode } from '@btc-research/contracts';
import { describe, expect, it } from 'vitest';
import { ApiContractError, ApiError, apiErrorFrom, gatewayStatusOf, isAuthError } from './api-errors.js';

describe('API errors', () => {
  it('reads the API error body: message, code and details', () => {
    const body = { error: { code: ApiErrorCode.configInvalid, message: 'the strategy config has 1 problem(s)', requestId: 'r1', details: { problems: [] } } };
    const err = apiErrorFrom(422, 'Unprocessable Entity', '/api/v1/strategies/start', body);
    expect(err).toMatchObject({ status: 422, code: 'CONFIG_INVALID', message: 'the strategy config has 1 problem(s)', details: { problems: [] } });
  });

  it('says only the status when something else answered (a proxy, a crash page)', () => {
    const err = apiErrorFrom(502, 'Bad Gateway', '/api/v1/strategies/active', '<html>nginx</html>');
    expect(err.message).toBe('the API answered 502 Bad Gateway');
    expect(err.code).toBeNull();
  });

  it('maps failures to the status the dashboard answers with', () => {
    expect(gatewayStatusOf(new ApiError('gone', 404, '/x'))).toBe(404);
    expect(gatewayStatusOf(new ApiError('unreachable', 0, '/x'))).toBe(502);
    expect(gatewayStatusOf(new ApiContractError('GET', '/x', ['a: b']))).toBe(502);
    expect(gatewayStatusOf(new Error('bug'))).toBe(500);
    expect(isAuthError(new ApiError('who?', 401, '/x'))).toBe(true);
    expect(isAuthError(new ApiError('gone', 404, '/x'))).toBe(false);
  });
});
