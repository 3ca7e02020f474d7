import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '@btc-research/platform';
import { ApiError } from '../errors.js';
import { normaliseError } from './error-handler.js';

describe('normaliseError', () => {
  it('maps the API and platform error classes to their status and stable code', () => {
    expect(normaliseError(new ApiError(409, 'CONFLICT', 'x'))).toMatchObject({ status: 409, code: 'CONFLICT', message: 'x' });
    expect(normaliseError(new ValidationError('bad cursor'))).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: 'bad cursor' });
    expect(normaliseError(new NotFoundError('gone'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(normaliseError(new ConflictError('taken'))).toMatchObject({ status: 409, code: 'CONFLICT' });
  });

  it('answers 503 for an unreachable backing service and hides unknown errors behind INTERNAL_ERROR', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(normaliseError(refused)).toMatchObject({ status: 503, code: 'UPSTREAM_UNAVAILABLE' });
    const unknown = normaliseError(new TypeError('cannot read properties of undefined (secret internals)'));
    expect(unknown).toEqual({ status: 500, code: 'INTERNAL_ERROR', message: 'internal error' });
  });

  it('keeps the message of other 4xx errors and picks the code from the status', () => {
    expect(normaliseError(Object.assign(new Error('Body is too large'), { statusCode: 413 }))).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(normaliseError(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 }))).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });
});
