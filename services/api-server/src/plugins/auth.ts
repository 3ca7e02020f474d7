import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyJwt from '@fastify/jwt';
import { ApiErrorCode, AuthScope } from '@btc-research/contracts';
import { z } from 'zod';
import { ApiError, forbidden, unauthenticated } from '../errors.js';
import type { AuthConfig } from '../auth/auth-config.js';
import { resolvePrincipal, type AccessClaims, type Principal } from '../auth/principal.js';
import type { RefreshTokenLedger } from '../auth/refresh-token-ledger.js';

export type RouteScope = 'public' | AuthScope;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** who may call the route; api routes default to 'read' */
    scope?: RouteScope;
  }
  interface FastifyRequest {
    principalResult?: { principal: Principal } | { error: unknown };
  }
}

const Claims = z.object({
  sub: z.string().min(1),
  scope: z.array(AuthScope),
  typ: z.enum(['access', 'refresh']),
  /** the token's own id: a refresh token may be used once */
  jti: z.string().min(8).max(64),
  /** the session (token family) it belongs to, revoked as a whole when a refresh token is reused */
  fam: z.string().min(8).max(64),
  iat: z.number().int(),
  exp: z.number().int(),
});
/** issued and expiry times (and the issuer) must be present: a token without them would never expire */
const REQUIRED_CLAIMS = ['iss', 'sub', 'iat', 'exp'];

export interface TokenService {
  /** A new access + refresh token pair; `family` continues a session (refresh), else a new one begins. */
  signPair(sub: string, scopes: readonly AuthScope[], family?: string): { accessToken: string; refreshToken: string; family: string };
  verify(token: string): AccessClaims;
}

/** Registers @fastify/jwt (HS256 only: `alg: none` and other algorithms are refused) and returns the token service. */
export async function registerJwt(app: FastifyInstance, config: AuthConfig, now?: () => number): Promise<TokenService> {
  const clock = now ?? Date.now;
  await app.register(fastifyJwt, {
    secret: config.jwtSecret,
    sign: { algorithm: 'HS256', iss: 'btc-research-api' },
    verify: { algorithms: ['HS256'], allowedIss: 'btc-research-api', requiredClaims: REQUIRED_CLAIMS },
  });
  const maxLifetimeS = { access: config.accessTokenTtlS, refresh: config.refreshTokenTtlS };
  return {
    signPair(sub, scopes, family = randomUUID()) {
      const clockTimestamp = clock();
      const scope = [...scopes];
      const accessToken = app.jwt.sign({ scope, typ: 'access', fam: family, jti: randomUUID() }, { sub, expiresIn: config.accessTokenTtlS, clockTimestamp });
      const refreshToken = app.jwt.sign({ scope, typ: 'refresh', fam: family, jti: randomUUID() }, { sub, expiresIn: config.refreshTokenTtlS, clockTimestamp });
      return { accessToken, refreshToken, family };
    },
    verify(token) {
      let decoded: unknown;
      try {
        // with the wall clock the plugin's cached verifier is used; an injected clock (tests) needs its own
        decoded = now ? app.jwt.verify(token, { clockTimestamp: now() }) : app.jwt.verify(token);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'FAST_JWT_EXPIRED') throw new ApiError(401, ApiErrorCode.tokenExpired, 'the token has expired; refresh it at POST /api/v1/auth/refresh', undefined, { cause: error });
        throw new ApiError(401, ApiErrorCode.invalidToken, 'the token is not valid', undefined, { cause: error });
      }
      const claims = Claims.safeParse(decoded);
      if (!claims.success) throw new ApiError(401, ApiErrorCode.invalidToken, 'the token lacks the expected claims');
      // a bounded lifetime: no token of ours lives longer than its kind's configured TTL
      if (claims.data.exp - claims.data.iat > maxLifetimeS[claims.data.typ]) {
        throw new ApiError(401, ApiErrorCode.invalidToken, `the token's lifetime exceeds the ${maxLifetimeS[claims.data.typ]} s allowed for ${claims.data.typ} tokens`);
      }
      return claims.data;
    },
  };
}

/** Resolves the principal once per request (the rate limiter's key generator needs it before auth runs). */
export function principalOf(request: FastifyRequest, config: AuthConfig, tokens: TokenService): Principal {
  if (!request.principalResult) {
    try {
      request.principalResult = { principal: resolvePrincipal(request, config, (t) => tokens.verify(t)) };
    } catch (error) {
      request.principalResult = { error };
    }
  }
  if ('error' in request.principalResult) throw request.principalResult.error;
  return request.principalResult.principal;
}

/**
 * Enforces each route's scope. Runs at preParsing, after the rate limiter (onRequest), so failed
 * credentials count against the caller's limit too.
 */
export function registerAuthHook(app: FastifyInstance, config: AuthConfig, tokens: TokenService, ledger: RefreshTokenLedger, options: { isDocsPublic: boolean }): void {
  app.decorateRequest('principalResult', undefined);
  /** routes that declare no scope: the API's need read; the docs (Swagger UI's own routes) as configured */
  const defaultScope = (url: string | undefined): RouteScope => {
    if (url?.startsWith('/api/')) return 'read';
    if (url?.startsWith('/docs') && !options.isDocsPublic) return 'read';
    return 'public';
  };
  app.addHook('preParsing', async (request, _reply, payload) => {
    const scope = request.routeOptions.config.scope ?? defaultScope(request.routeOptions.url);
    if (scope === 'public') return payload;
    const principal = principalOf(request, config, tokens);
    if (principal.kind === 'anonymous' && !principal.scopes.includes(scope)) throw unauthenticated();
    if (!principal.scopes.includes(scope)) throw forbidden(scope);
    if (principal.tokenFamily !== undefined && (await ledger.isRevoked(principal.tokenFamily))) throw sessionRevoked();
    return payload;
  });
}

export function sessionRevoked(): ApiError {
  return new ApiError(401, ApiErrorCode.invalidToken, 'this session was revoked because one of its refresh tokens was used twice; get new tokens at POST /api/v1/auth/token');
}
