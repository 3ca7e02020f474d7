/** Distributed `pnpm start` (REDIS_URL set): the dashboard process gets a service key only in api-key mode. */
import { describe, expect, it } from 'vitest';
import { dashboardEnvOf } from '../../scripts/supervise.js';
import { DEFAULT_DEV_API_KEY } from '../../services/api-server/src/index.js';

describe('the dashboard environment under the supervisor', () => {
  it('uses the public development key in development', () => {
    expect(dashboardEnvOf({ API_PORT: '8123' })).toMatchObject({ API_KEY: DEFAULT_DEV_API_KEY, API_URL: 'http://127.0.0.1:8123' });
  });

  it('has no key in JWT mode, set explicitly or by NODE_ENV=production, so people sign in', () => {
    expect(dashboardEnvOf({ API_AUTH_MODE: 'jwt' })['API_KEY']).toBeUndefined();
    expect(dashboardEnvOf({ NODE_ENV: 'production' })['API_KEY']).toBeUndefined();
    // a key left in the environment would be refused by the API on every page
    expect(dashboardEnvOf({ NODE_ENV: 'production', API_KEY: 'some-user-key-0123456789' })['API_KEY']).toBeUndefined();
  });

  it('keeps an explicit key in api-key mode', () => {
    expect(dashboardEnvOf({ API_KEY: 'my-own-key-0123456789' })['API_KEY']).toBe('my-own-key-0123456789');
  });
});
