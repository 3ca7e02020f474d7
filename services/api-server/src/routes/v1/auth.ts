import { ApiErrorBody, ApiErrorCode, RefreshRequestBody, TokenRequestBody, TokenResponse, type AuthScope } from '@btc-research/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError } from '../../errors.js';
import type { RouteOptions } from '../../context.js';
import { findApiKey, keyId } from '../../auth/principal.js';
import { sessionRevoked } from '../../plugins/auth.js';

const errors = { 400: ApiErrorBody, 401: ApiErrorBody, 403: ApiErrorBody, 429: ApiErrorBody, 500: ApiErrorBody };
const tags = ['auth'];

/** Exchange an API key for a short-lived access token and a refresh token (JWT, HS256). */
export const authRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { ctx }) => {
  const issue = (sub: string, scopes: readonly AuthScope[], family?: string) => {
    const pair = ctx.tokens.signPair(sub, scopes, family);
    return {
      tokenType: 'Bearer' as const,
      accessToken: pair.accessToken,
      expiresIn: ctx.auth.accessTokenTtlS,
      refreshToken: pair.refreshToken,
      refreshExpiresIn: ctx.auth.refreshTokenTtlS,
      scopes: [...scopes],
    };
  };

  app.post(
    '/auth/token',
    {
      config: { scope: 'public' },
      schema: { tags, operationId: 'createToken', summary: 'Get an access token (and a refresh token) for an API key', body: TokenRequestBody, response: { 200: TokenResponse, ...errors } },
    },
    async (request, reply) => {
      const entry = findApiKey(ctx.auth.apiKeys, request.body.apiKey);
      if (!entry) throw new ApiError(401, ApiErrorCode.unauthenticated, 'unknown API key');
      const wanted = request.body.scopes ?? entry.scopes;
      const missing = wanted.filter((s) => !entry.scopes.includes(s));
      if (missing.length > 0) throw new ApiError(403, ApiErrorCode.forbidden, `the key lacks the scope(s): ${missing.join(', ')}`);
      return reply.header('cache-control', 'no-store').send(issue(keyId(entry.key), [...new Set(wanted)]));
    },
  );

  app.post(
    '/auth/refresh',
    {
      config: { scope: 'public' },
      schema: { tags, operationId: 'refreshToken', summary: 'Trade a refresh token for a new token pair', body: RefreshRequestBody, response: { 200: TokenResponse, ...errors } },
    },
    async (request, reply) => {
      const claims = ctx.tokens.verify(request.body.refreshToken);
      if (claims.typ !== 'refresh') throw new ApiError(401, ApiErrorCode.invalidToken, 'expected a refresh token');
      const entry = ctx.auth.apiKeys.find((k) => keyId(k.key) === claims.sub);
      if (!entry) throw new ApiError(401, ApiErrorCode.invalidToken, 'the key this token was issued for is no longer configured');
      const scopes = claims.scope.filter((s) => entry.scopes.includes(s));
      if (scopes.length === 0) throw new ApiError(403, ApiErrorCode.forbidden, 'the key no longer has any of the token\'s scopes');
      // rotation: each refresh token works once; a second use revokes its whole session
      const use = await ctx.refreshLedger.use(claims.jti, claims.fam, claims.exp * 1_000);
      if (use === 'reused') {
        await ctx.refreshLedger.revokeFamily(claims.fam, ctx.auth.refreshTokenTtlS * 1_000);
        request.log.warn({ clientId: claims.sub, correlationId: request.id }, 'refresh token reused; session revoked');
        throw new ApiError(401, ApiErrorCode.invalidToken, 'this refresh token was already used, so its session is revoked; get new tokens at POST /api/v1/auth/token');
      }
      if (use === 'family-revoked') throw sessionRevoked();
      return reply.header('cache-control', 'no-store').send(issue(claims.sub, scopes, claims.fam));
    },
  );
};
