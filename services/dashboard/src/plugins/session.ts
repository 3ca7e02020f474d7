/**
 * A signed-in user's session (JWT mode): the API's access and refresh tokens in HttpOnly,
 * SameSite=Strict cookies that scripts cannot read. With an API key configured nobody signs in.
 */
import fastifyCookie from '@fastify/cookie';
import type { TokenResponse } from '@btc-research/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiAuth, ApiClient } from '../api/api-client.js';
import { endpoints } from '../api/endpoints.js';

export const TOKEN_COOKIE = 'btcdash_token';
export const REFRESH_COOKIE = 'btcdash_refresh';

const cookieOptions = { path: '/', httpOnly: true, sameSite: 'strict' } as const;

export async function registerSession(app: FastifyInstance): Promise<void> {
  await app.register(fastifyCookie);
}

/** The user's own credentials for the API, when signed in. */
export function authOf(request: FastifyRequest): ApiAuth | undefined {
  const token = request.cookies[TOKEN_COOKIE];
  return token ? { token } : undefined;
}

export function startSession(reply: FastifyReply, tokens: TokenResponse): void {
  reply.setCookie(TOKEN_COOKIE, tokens.accessToken, { ...cookieOptions, maxAge: tokens.expiresIn });
  reply.setCookie(REFRESH_COOKIE, tokens.refreshToken, { ...cookieOptions, maxAge: tokens.refreshExpiresIn });
}

export function endSession(reply: FastifyReply): void {
  reply.clearCookie(TOKEN_COOKIE, cookieOptions);
  reply.clearCookie(REFRESH_COOKIE, cookieOptions);
}

/** Renews an expired access token with the refresh token; false when there is none or the API refuses it. */
export async function renewSession(api: ApiClient, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
  const refreshToken = request.cookies[REFRESH_COOKIE];
  if (!refreshToken) return false;
  try {
    startSession(reply, await api.send(endpoints.refresh(), { refreshToken }));
    return true;
  } catch (err) {
    request.log.info({ err }, 'session renewal refused');
    return false;
  }
}
