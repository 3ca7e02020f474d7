import type { FastifyInstance } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import type { Redis } from 'ioredis';
import { ApiErrorCode } from '@btc-research/contracts';
import { ApiError } from '../errors.js';
import type { AuthConfig } from '../auth/auth-config.js';
import { principalOf, type TokenService } from './auth.js';
import { keyId } from '../auth/principal.js';

export interface RateLimitConfig {
  /** requests per window per client; the plan's 100/min */
  max: number;
  timeWindowMs: number;
  /** a Redis client shared by all api-server instances (distributed mode); in-memory when absent */
  redis?: Redis;
}

const EXEMPT = /^\/(healthz|readyz|metrics|docs)(\/|\?|$)/;

/**
 * 100 requests/minute per client: the credential's client id when the request carries a valid one,
 * else the IP. Answers 429 with Retry-After and x-ratelimit-* headers. With a Redis client the counters
 * live in Redis, so several api-server instances share one limit.
 */
export async function registerRateLimit(app: FastifyInstance, config: RateLimitConfig, auth: AuthConfig, tokens: TokenService): Promise<void> {
  const keyLimits = new Map(auth.apiKeys.filter((k) => k.rateLimitMax !== undefined).map((k) => [keyId(k.key), k.rateLimitMax ?? config.max] as const));
  await app.register(fastifyRateLimit, {
    global: true,
    // an unreachable Redis must not take the API down: requests pass unlimited until it is back
    skipOnError: true,
    // a key may carry its own limit (API_KEYS "key:scopes:limit"); everyone else gets config.max
    max: (request) => {
      try {
        const principal = principalOf(request, auth, tokens);
        if (principal.kind === 'anonymous') return config.max;
        return keyLimits.get(principal.clientId) ?? config.max;
      } catch {
        return config.max;
      }
    },
    timeWindow: config.timeWindowMs,
    ...(config.redis ? { redis: config.redis, nameSpace: 'api-rate-limit:' } : {}),
    keyGenerator: (request) => {
      try {
        const principal = principalOf(request, auth, tokens);
        return principal.kind === 'anonymous' ? `ip:${request.ip}` : `client:${principal.clientId}`;
      } catch {
        return `ip:${request.ip}`;
      }
    },
    allowList: (request) => EXEMPT.test(request.url),
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, ApiErrorCode.rateLimited, `rate limit of ${context.max} requests per ${Math.round(config.timeWindowMs / 1000)} s exceeded; retry in ${context.after}`, {
        limit: context.max,
        retryAfterMs: context.ttl,
      }),
  });
}
