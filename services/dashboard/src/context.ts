import type { Logger } from '@btc-research/platform';
import type { ApiClient } from './api/api-client.js';
import type { HubRegistry } from './live/hub-registry.js';
import type { ViewRenderer } from './plugins/views.js';

/** Which live transports browsers are offered, and how often they poll when neither works. */
export interface LiveSettings {
  ws: boolean;
  sse: boolean;
  pollMs: number;
}

/** What route plugins get: the app's dependencies and shared services. */
export interface DashboardContext {
  api: ApiClient;
  hubs: HubRegistry;
  views: ViewRenderer;
  live: LiveSettings;
  log: Logger;
}

export interface RouteOptions {
  ctx: DashboardContext;
}
