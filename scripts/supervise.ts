import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_STARTED_MESSAGE } from '@btc-research/platform';
import { DEFAULT_DEV_API_KEY } from '../services/api-server/src/auth/auth-config.js';
import { authModeOf } from '../services/api-server/src/config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** a service still running this long after its stop was asked for is killed */
const STOP_KILL_MS = 12_000;

/**
 * Runs each service as its own process (distributed mode, Redis Streams between them) and resolves
 * with the exit code for the whole system:
 *  - a service that cannot start (it exits before its runService reported "started" over the IPC
 *    channel, e.g. port taken, bad config, Redis or PostgreSQL unreachable) stops everything: exit 1
 *    (78 for a configuration error), within seconds, instead of restarting it forever;
 *  - a service that crashes after it started is restarted (1 s, 2 s, 4 s … up to 30 s);
 *  - SIGINT/SIGTERM stop them all; 0 when every one of them stopped cleanly.
 * Children stay in the terminal's process group, so Ctrl-C reaches them directly too: runService
 * treats the supervisor's SIGTERM right after it as the same request.
 */
export async function superviseServices(names: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const children = new Map<string, ChildProcess>();
  const hasStarted = new Set<string>();
  let stopping = false;
  let exitCode = 0;
  const failures = new Map<string, number>();
  const dashboardEnv = dashboardEnvOf(env);
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const stop = (reason: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`[supervisor] stopping services (${reason})\n`);
    for (const c of children.values()) c.kill('SIGTERM');
    if (children.size === 0) resolveDone();
    setTimeout(() => {
      for (const c of children.values()) c.kill('SIGKILL');
    }, STOP_KILL_MS).unref();
  };

  const launch = (name: string) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'services', name, 'src', 'main.ts')], {
      env: name === 'dashboard' ? dashboardEnv : env,
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      cwd: root,
    });
    children.set(name, child);
    const startedAt = Date.now();
    child.on('message', (message: { type?: unknown }) => {
      if (message?.type === SERVICE_STARTED_MESSAGE) hasStarted.add(name);
    });
    child.on('exit', (code, signal) => {
      children.delete(name);
      if (stopping) {
        if (code !== 0) exitCode = 1;
        if (children.size === 0) resolveDone();
        return;
      }
      if (!hasStarted.has(name)) {
        process.stderr.write(`[supervisor] ${name} could not start (${signal ?? code}); stopping everything\n`);
        exitCode = code === 78 ? 78 : 1;
        stop(`${name} could not start`);
        return;
      }
      const n = Date.now() - startedAt > 60_000 ? 1 : (failures.get(name) ?? 0) + 1;
      failures.set(name, n);
      const delay = Math.min(30_000, 1_000 * 2 ** (n - 1));
      process.stderr.write(`[supervisor] ${name} exited (${signal ?? code}); restarting in ${delay} ms\n`);
      setTimeout(() => !stopping && launch(name), delay).unref();
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  for (const name of names) launch(name);
  process.stdout.write(`[supervisor] distributed mode over ${env['REDIS_URL']}: ${names.join(', ')}\n`);
  await done;
  return exitCode;
}

/**
 * The dashboard's environment: it reaches the API on its port; in development it uses the API's
 * public dev key. In JWT mode it has no key of its own (the API would refuse it): people sign in.
 */
export function dashboardEnvOf(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const isJwtMode = safeAuthMode(env) === 'jwt';
  const dashboardEnv: NodeJS.ProcessEnv = {
    ...env,
    API_URL: env['API_URL'] ?? `http://127.0.0.1:${env['API_PORT'] ?? '8000'}`,
    ...(env['API_KEY'] === undefined && env['API_KEYS'] === undefined && !isJwtMode ? { API_KEY: DEFAULT_DEV_API_KEY } : {}),
  };
  if (isJwtMode) delete dashboardEnv['API_KEY'];
  return dashboardEnv;
}

/** The API's auth mode; an invalid API_AUTH_MODE is the api-server's to report (it refuses to start). */
function safeAuthMode(env: NodeJS.ProcessEnv): 'api-key' | 'jwt' | undefined {
  try {
    return authModeOf(env);
  } catch {
    return undefined;
  }
}
