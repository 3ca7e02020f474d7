import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface GroupProcess {
  child: ChildProcess;
  output(): string;
  /** resolves when the output matches (or rejects after `timeoutMs`, with the output so far) */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** the exit code (or 128 + n for a signal) and how long after `since` it came */
  exited: Promise<{ code: number; at: number }>;
  /** sends `signal` to the whole process group, as a terminal's Ctrl-C does */
  signalGroup(signal: NodeJS.Signals): void;
  kill(): void;
}

/**
 * Starts a command in a process group of its own (as a shell runs a foreground job), with a small
 * clean environment plus `env`, capturing stdout and stderr together.
 */
export function startInGroup(command: string, args: readonly string[], env: Record<string, string>): GroupProcess {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', COREPACK_ENABLE_DOWNLOAD_PROMPT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code: code ?? 128 + (signal ? signalNumber(signal) : 0), at: Date.now() })),
  );
  return {
    child,
    output: () => out,
    exited,
    waitForOutput(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(out)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${out.slice(-3_000)}`));
        }, timeoutMs);
        const gone = () => {
          cleanup();
          reject(new Error(`exited before ${pattern}; output:\n${out.slice(-3_000)}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
          child.off('exit', gone);
        };
        waiters.add(check);
        child.once('exit', gone);
        check();
      });
    },
    signalGroup(signal) {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    },
    kill() {
      try {
        if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

function signalNumber(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0;
}

/** Holds a TCP port on 127.0.0.1 (and 0.0.0.0 binds fail on it too), so a service finds it taken. */
export async function holdPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '0.0.0.0', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { port, release: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on (taken, then released). */
export async function closedPort(): Promise<number> {
  const held = await holdPort();
  await held.release();
  return held.port;
}
