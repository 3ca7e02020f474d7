export { buildApiApp, registeredRoutes, type ApiAppDeps, type CorsConfig, type RegisteredRoute } from './app.js';
export { startApiServer, type StartApiServerDeps, type ApiServerHandle } from './service.js';
export { readEnv, toConfig, parseApiKeys, type ApiServerConfig } from './config.js';
export { startupNotice } from './startup-notice.js';
export { DEFAULT_DEV_API_KEY, type AuthConfig, type ApiKeyEntry } from './auth/auth-config.js';
export type { RateLimitConfig } from './plugins/rate-limit.js';
