/**
 * Runs the whole embedded system (`scripts/start.ts`: stream-manager, paper-trader, api-server and
 * dashboard in one process) as a child process on free ports, with its own data and config dirs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@btc-research/platform';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');

export { freePort };

export interface EmbeddedSystem {
  dashboardUrl: string;
  apiUrl: string;
  dataDir: string;
  configDir: string;
  output(): string;
  stop(): Promise<number | null>;
}

export interface EmbeddedOptions {
  env?: Record<string, string>;
  extraConfigs?: Record<string, string>;
  deadlineMs?: number;
  /** run on the data and config of an earlier run (a restart) instead of fresh ones */
  reuse?: { dataDir: string; configDir: string };
  /** stop() leaves the data and config dirs in place (for a restart); the caller removes them */
  keepDirs?: boolean;
}

export async function startEmbedded(options: EmbeddedOptions = {}): Promise<EmbeddedSystem> {
  const dataDir = options.reuse?.dataDir ?? (await mkdtemp(join(tmpdir(), 'dash-e2e-data-')));
  const configDir = options.reuse?.configDir ?? (await mkdtemp(join(tmpdir(), 'dash-e2e-config-')));
  if (!options.reuse) for (const f of await readdir(join(repoRoot, 'config'))) if (/\.ya?ml$/.test(f)) await copyFile(join(repoRoot, 'config', f), join(configDir, f));
  for (const [name, text] of Object.entries(options.extraConfigs ?? {})) await writeFile(join(configDir, name), text);
  const [apiPort, dashPort] = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    API_PORT: String(apiPort),
    DASHBOARD_PORT: String(dashPort),
    DASHBOARD_HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    CONFIG_DIR: configDir,
    BINANCE_PROBE_TIMEOUT_MS: '300',
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  delete env['REDIS_URL'];
  delete env['DATABASE_URL'];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts', 'start.ts')], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const deadline = Date.now() + (options.deadlineMs ?? 60_000);
  while (!out.includes('btc-research is up')) {
    if (child.exitCode !== null) throw new Error(`scripts/start.ts exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`scripts/start.ts did not come up in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  let stopped: Promise<number | null> | null = null;
  return {
    dashboardUrl: `http://127.0.0.1:${dashPort}`,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    dataDir,
    configDir,
    output: () => out,
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null) child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        const code = await exited;
        clearTimeout(timer);
        if (!options.keepDirs) {
          await rm(dataDir, { recursive: true, force: true });
          await rm(configDir, { recursive: true, force: true });
        }
        return code;
      })();
      return stopped;
    },
  };
}
