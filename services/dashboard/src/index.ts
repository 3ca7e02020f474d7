export { buildDashboardApp, type DashboardDeps } from './app.js';
export { startDashboard, type StartDashboardOptions, type RunningDashboard } from './service.js';
export { readEnv, toConfig, type DashboardConfig } from './config.js';
export { ApiClient, type ApiAuth } from './api/api-client.js';
export { ApiError, ApiContractError } from './api/api-errors.js';
