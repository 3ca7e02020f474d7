import { buildDashboardApp, type DashboardDeps } from './app.js';

export interface StartDashboardOptions extends DashboardDeps {
  host: string;
  port: number;
}

export interface RunningDashboard {
  /** e.g. http://127.0.0.1:5000 (the actual port when 0 was asked for) */
  url: string;
  close(): Promise<void>;
}

/** Builds the dashboard and listens; `close()` ends live connections and stops the server. Never reads env. */
export async function startDashboard(options: StartDashboardOptions): Promise<RunningDashboard> {
  const { host, port, ...deps } = options;
  const app = await buildDashboardApp(deps);
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${boundPort}`;
  deps.logger.info({ url, apiUrl: deps.apiUrl }, 'dashboard listening');
  let closing: Promise<void> | null = null;
  return {
    url,
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}
