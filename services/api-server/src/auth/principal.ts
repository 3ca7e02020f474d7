import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiErrorCode, type AuthScope } from '@btc-research/contracts';
import { ApiError } from '../errors.js';
import type { ApiKeyEntry, AuthConfig } from './auth-config.js';

export interface Principal {
  kind: 'api-key' | 'jwt' | 'anonymous';
  /** stable, non-secret id of the client: a hash prefix of the key, the token's subject, or the IP */
  clientId: string;
  scopes: readonly AuthScope[];
  /** a JWT's token family (session), checked against revocations */
  tokenFamily?: string;
}

export interface AccessClaims {
  sub: string;
  scope: AuthScope[];
  typ: 'access' | 'refresh';
  jti: string;
  /** the token family (session) */
  fam: string;
  iat: number;
  exp: number;
}

/** A verified token's claims, or an error naming why it was refused. */
export type TokenVerifier = (token: string) => AccessClaims;

export function keyId(key: string): string {
  return `key_${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function findApiKey(keys: readonly ApiKeyEntry[], presented: string): ApiKeyEntry | undefined {
  let found: ApiKeyEntry | undefined;
  for (const entry of keys) if (sameSecret(entry.key, presented)) found = entry;
  return found;
}

function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/.test(token);
}

interface Credential {
  kind: 'api-key' | 'bearer';
  value: string;
}

const QUERY_CREDENTIAL_ROUTES = /^\/api\/v1\/events(\/ws)?(\?|$)/;

/** Where a credential may come from: X-API-Key, Authorization: Bearer, or (for the live-event routes,
 * which browsers open without custom headers) the `access_token` / `api_key` query parameters. */
export function extractCredential(request: FastifyRequest): Credential | null {
  const headerKey = request.headers['x-api-key'];
  if (typeof headerKey === 'string' && headerKey.length > 0) return { kind: 'api-key', value: headerKey };
  const authz = request.headers.authorization;
  if (typeof authz === 'string' && authz.length > 0) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authz);
    if (!m?.[1]) throw new ApiError(401, ApiErrorCode.unauthenticated, 'malformed Authorization header: expected "Bearer <token>"');
    return { kind: 'bearer', value: m[1] };
  }
  if (QUERY_CREDENTIAL_ROUTES.test(request.url)) {
    const url = new URL(request.url, 'http://localhost');
    const token = url.searchParams.get('access_token');
    if (token) return { kind: 'bearer', value: token };
    const key = url.searchParams.get('api_key');
    if (key) return { kind: 'api-key', value: key };
  }
  return null;
}

/**
 * Resolves who is calling. Returns an anonymous principal when no credential was sent; throws a 401
 * ApiError for a credential that is present but not valid (a wrong credential is never ignored).
 */
export function resolvePrincipal(request: FastifyRequest, config: AuthConfig, verify: TokenVerifier): Principal {
  const credential = extractCredential(request);
  if (!credential) return { kind: 'anonymous', clientId: `ip_${request.ip}`, scopes: config.isReadOpen ? ['read'] : [] };
  if (credential.kind === 'bearer' && looksLikeJwt(credential.value)) {
    const claims = verify(credential.value);
    if (claims.typ !== 'access') throw new ApiError(401, ApiErrorCode.invalidToken, 'a refresh token cannot be used to call the API; exchange it at POST /api/v1/auth/refresh');
    return { kind: 'jwt', clientId: claims.sub, scopes: claims.scope, tokenFamily: claims.fam };
  }
  if (config.mode === 'jwt') {
    throw new ApiError(401, ApiErrorCode.unauthenticated, 'API keys are accepted only at POST /api/v1/auth/token in production; send the bearer token it returns');
  }
  const entry = findApiKey(config.apiKeys, credential.value);
  if (!entry) throw new ApiError(401, ApiErrorCode.unauthenticated, 'unknown API key');
  return { kind: 'api-key', clientId: keyId(entry.key), scopes: entry.scopes };
}
