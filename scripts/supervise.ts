import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DEV_API_KEY } from '../services/api-server/src/auth/auth-config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs each service as its own process (distributed mode, Redis Streams between them), restarts one
 * that crashes (1 s, 2 s, 4 s … up to 30 s) and stops them all on SIGINT/SIGTERM.
 */
export async function superviseServices(names: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  const failures = new Map<string, number>();
  // The dashboard reaches the API on its port; in development it uses the API's public dev key.
  const dashboardEnv: NodeJS.ProcessEnv = {
    ...env,
    API_URL: env['API_URL'] ?? `http://127.0.0.1:${env['API_PORT'] ?? '8000'}`,
    ...(env['API_KEY'] === undefined && env['API_KEYS'] === undefined && env['API_AUTH_MODE'] !== 'jwt' ? { API_KEY: DEFAULT_DEV_API_KEY } : {}),
  };
  const launch = (name: string) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'services', name, 'src', 'main.ts')], { env: name === 'dashboard' ? dashboardEnv : env, stdio: 'inherit', cwd: root });
    children.set(name, child);
    const startedAt = Date.now();
    child.on('exit', (code, signal) => {
      children.delete(name);
      if (stopping) return;
      const n = Date.now() - startedAt > 60_000 ? 1 : (failures.get(name) ?? 0) + 1;
      failures.set(name, n);
      const delay = Math.min(30_000, 1_000 * 2 ** (n - 1));
      process.stderr.write(`[supervisor] ${name} exited (${signal ?? code}); restarting in ${delay} ms\n`);
      setTimeout(() => !stopping && launch(name), delay).unref();
    });
  };
  for (const name of names) launch(name);
  process.stdout.write(`[supervisor] distributed mode over ${env['REDIS_URL']}: ${names.join(', ')}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      process.stdout.write('[supervisor] stopping services\n');
      for (const c of children.values()) c.kill('SIGTERM');
      const check = setInterval(() => {
        if (children.size === 0) {
          clearInterval(check);
          resolve();
        }
      }, 100);
      setTimeout(() => {
        for (const c of children.values()) c.kill('SIGKILL');
      }, 12_000).unref();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
