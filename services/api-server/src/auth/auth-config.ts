import type { AuthScope } from '@btc-research/contracts';

export interface ApiKeyEntry {
  /** the secret itself; compared in constant time, never logged */
  key: string;
  scopes: readonly AuthScope[];
  /** requests per rate-limit window for this key (e.g. a dashboard's service key); default: the global limit */
  rateLimitMax?: number;
}

/**
 * How requests authenticate.
 * - `api-key` (development, the default): `X-API-Key: <key>` (or `Authorization: Bearer <key>`);
 *   bearer JWTs from POST /api/v1/auth/token are accepted too. Read routes may be left open.
 * - `jwt` (production): resource routes accept only bearer JWTs; API keys are exchanged for tokens at
 *   POST /api/v1/auth/token.
 */
export interface AuthConfig {
  mode: 'api-key' | 'jwt';
  apiKeys: readonly ApiKeyEntry[];
  /** read-scope routes answer without credentials (development default) */
  isReadOpen: boolean;
  jwtSecret: string;
  accessTokenTtlS: number;
  refreshTokenTtlS: number;
}

/** The public development key used when API_KEYS is not set in api-key mode. Documented in docs/api.md. */
export const DEFAULT_DEV_API_KEY = 'btc-research-dev-key';
