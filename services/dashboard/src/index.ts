export { buildDashboardApp, type DashboardDeps } from './app.js';
export { startDashboard, type StartDashboardOptions, type RunningDashboard } from './service.js';
export { ApiClient, ApiError } from './api-client.js';
export { makeLogger } from './logger.js';
