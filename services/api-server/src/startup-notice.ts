import type { ApiServerConfig } from './config.js';
import { DEFAULT_DEV_API_KEY } from './auth/auth-config.js';

/**
 * What the operator should see once the server listens. Configured keys and secrets are never printed;
 * the built-in development key is public (documented in docs/api.md), so it is shown to get started.
 */
export function startupNotice(config: Pick<ApiServerConfig, 'auth' | 'isDefaultDevKey'>, url: string): string {
  const lines = [`api-server listening on ${url} (docs: ${url}/docs)`];
  if (config.auth.mode === 'api-key') {
    lines.push(
      config.isDefaultDevKey
        ? `development API key: ${DEFAULT_DEV_API_KEY}  (send as X-API-Key; set API_KEYS to replace it)`
        : `API keys: ${config.auth.apiKeys.length} configured via API_KEYS`,
    );
    lines.push(config.auth.isReadOpen ? 'read endpoints are open without a key (API_OPEN_READS=false to require one)' : 'every endpoint requires a key');
  } else {
    lines.push('production auth: bearer JWTs from POST /api/v1/auth/token');
  }
  return `${lines.join('\n')}\n`;
}
