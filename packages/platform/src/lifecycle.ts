import { ConfigError } from './errors.js';
import { createLogger, type Logger } from './logger.js';

export interface Closable {
  close(): Promise<void>;
}

/** Exit code for invalid configuration (EX_CONFIG from sysexits.h). */
export const EXIT_CONFIG = 78;
export const EXIT_FAILURE = 1;
export const FORCE_EXIT_MS = 10_000;

/** The part of `process` runService uses; tests pass a fake. */
export interface ServiceProcess {
  on(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  exitCode?: number | string | null | undefined;
  exit(code?: number): never | void;
}

export interface RunServiceOptions {
  logger?: Logger;
  /** after a shutdown signal, exit anyway after this long (unref'd timer). Default 10 000 ms. */
  forceExitMs?: number;
  process?: ServiceProcess;
  /** where the one readable line about a config error goes; default process.stderr */
  writeError?: (line: string) => void;
}

/**
 * Runs a service until SIGINT/SIGTERM: `start(signal)` builds everything and returns what to close.
 * On the first signal the signal is aborted, an unref'd force-exit timer is armed and `close()` runs.
 * A second signal exits at once. A ConfigError from start exits with code 78 and a readable
 * message. The normal path sets process.exitCode and lets the event loop drain (no process.exit).
 */
export async function runService(
  name: string,
  start: (signal: AbortSignal) => Promise<Closable>,
  options: RunServiceOptions = {},
): Promise<void> {
  const proc: ServiceProcess = options.process ?? process;
  const log = options.logger ?? createLogger(name);
  const forceExitMs = options.forceExitMs ?? FORCE_EXIT_MS;
  const writeError = options.writeError ?? ((line: string) => void process.stderr.write(line));
  const controller = new AbortController();
  let resolveStop!: () => void;
  const stopRequested = new Promise<void>((resolve) => {
    resolveStop = resolve;
  });

  const onSignal = (signalName: 'SIGINT' | 'SIGTERM') => {
    if (controller.signal.aborted) {
      log.warn({ signal: signalName }, 'second shutdown signal; exiting now');
      proc.exit(EXIT_FAILURE);
      return;
    }
    log.info({ signal: signalName, forceExitMs }, 'shutting down');
    const timer = setTimeout(() => {
      log.error({ forceExitMs }, 'shutdown took too long; forcing exit');
      proc.exit(EXIT_FAILURE);
    }, forceExitMs);
    timer.unref();
    controller.abort(new Error(`received ${signalName}`));
    resolveStop();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  proc.on('SIGINT', onInt);
  proc.on('SIGTERM', onTerm);

  try {
    let service: Closable;
    try {
      service = await start(controller.signal);
    } catch (err) {
      if (err instanceof ConfigError) {
        log.fatal({ err, details: err.details }, 'invalid configuration');
        writeError(`${name}: invalid configuration: ${err.message}\n`);
        proc.exitCode = EXIT_CONFIG;
      } else {
        log.fatal({ err }, 'failed to start');
        proc.exitCode = EXIT_FAILURE;
      }
      return;
    }
    log.info('started');
    await stopRequested;
    try {
      await service.close();
      log.info('stopped');
      if (proc.exitCode === undefined || proc.exitCode === null) proc.exitCode = 0;
    } catch (err) {
      log.error({ err }, 'error while closing');
      proc.exitCode = EXIT_FAILURE;
    }
  } finally {
    proc.off('SIGINT', onInt);
    proc.off('SIGTERM', onTerm);
  }
}

/**
 * Closes resources in the given order (service first, then its connections), continuing past
 * failures; throws an AggregateError of all failures at the end.
 */
export async function closeInOrder(closables: readonly Closable[]): Promise<void> {
  const errors: unknown[] = [];
  for (const c of closables) {
    try {
      await c.close();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} resources failed to close`);
}
