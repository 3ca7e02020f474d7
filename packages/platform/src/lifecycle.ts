import { ConfigError } from './errors.js';
import { createLogger, type Logger } from './logger.js';

export interface Closable {
  close(): Promise<void>;
}

/** Exit code for invalid configuration (EX_CONFIG from sysexits.h). */
export const EXIT_CONFIG = 78;
export const EXIT_FAILURE = 1;
export const FORCE_EXIT_MS = 10_000;
/** after a failed start, exit anyway this long after everything opened was closed (unref'd timer) */
export const FAILED_START_EXIT_MS = 2_000;
/**
 * A second shutdown signal this soon after the first is the same request arriving by another path
 * (Ctrl-C reaches every process of the terminal's process group, and a parent such as pnpm, tsx or
 * the supervisor relays it as well): it is ignored. A later one exits at once.
 */
export const DUPLICATE_SIGNAL_MS = 3_000;

/** What a supervising parent hears over the IPC channel once the service has started. */
export const SERVICE_STARTED_MESSAGE = 'btc-research:service-started';

/** The part of `process` runService uses; tests pass a fake. */
export interface ServiceProcess {
  on(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  exitCode?: number | string | null | undefined;
  exit(code?: number): never | void;
  /** present when a parent spawned this process with an IPC channel (the supervisor) */
  send?: ((message: unknown) => boolean) | undefined;
  connected?: boolean | undefined;
  channel?: { unref(): void } | undefined;
  once?(event: 'disconnect', listener: () => void): unknown;
}

/** Registers something start() opened, so it is closed when start fails later on, and after the service at shutdown. */
export type Own = <T extends Closable>(resource: T) => T;

export interface RunServiceOptions {
  logger?: Logger;
  /** after a shutdown signal, exit anyway after this long (unref'd timer). Default 10 000 ms. */
  forceExitMs?: number;
  /** after a failed start, exit anyway after this long. Default 2 000 ms. */
  failedStartExitMs?: number;
  /** a repeated signal within this long of the first is ignored. Default 3 000 ms. */
  duplicateSignalMs?: number;
  process?: ServiceProcess;
  /** where the one readable line about a config error goes; default process.stderr */
  writeError?: (line: string) => void;
  now?: () => number;
}

/**
 * Runs a service until SIGINT/SIGTERM. `start(signal, own)` builds everything and returns the
 * service; it passes what it opens (bus, store, connections) through `own` as it goes.
 *  - Start fails: everything owned so far is closed (last opened first), the process exits 78 on a
 *    ConfigError (with one readable line) or 1 otherwise, and, should something still hold the event
 *    loop, is made to exit after `failedStartExitMs`. A service that cannot start never lingers.
 *  - Started: a parent with an IPC channel (the supervisor) is told so; losing that channel (the
 *    parent died) stops the service as SIGTERM does.
 *  - First signal: the signal is aborted, a force-exit timer is armed, the service is closed, then
 *    what it owns; exit code 0. A repeat within `duplicateSignalMs` is the same Ctrl-C and is
 *    ignored; a later one exits at once. The normal path sets process.exitCode (no process.exit).
 */
export async function runService(
  name: string,
  start: (signal: AbortSignal, own: Own) => Promise<Closable>,
  options: RunServiceOptions = {},
): Promise<void> {
  const proc: ServiceProcess = options.process ?? process;
  const log = options.logger ?? createLogger(name);
  const forceExitMs = options.forceExitMs ?? FORCE_EXIT_MS;
  const duplicateSignalMs = options.duplicateSignalMs ?? DUPLICATE_SIGNAL_MS;
  const now = options.now ?? Date.now;
  const writeError = options.writeError ?? ((line: string) => void process.stderr.write(line));
  const controller = new AbortController();
  let resolveStop!: () => void;
  const stopRequested = new Promise<void>((resolve) => {
    resolveStop = resolve;
  });
  let firstSignalAt = 0;

  const onSignal = (signalName: 'SIGINT' | 'SIGTERM') => {
    if (controller.signal.aborted) {
      if (now() - firstSignalAt < duplicateSignalMs) {
        log.debug({ signal: signalName }, 'repeated shutdown signal ignored');
        return;
      }
      log.warn({ signal: signalName }, 'second shutdown signal; exiting now');
      proc.exit(EXIT_FAILURE);
      return;
    }
    firstSignalAt = now();
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
  if (proc.connected) {
    // a supervisor's IPC channel must not keep the process alive, and its loss (the supervisor was
    // killed) stops the service like a signal rather than leaving it orphaned
    proc.channel?.unref();
    proc.once?.('disconnect', () => {
      if (!controller.signal.aborted) onSignal('SIGTERM');
    });
  }

  let serviceStopped = false;
  const owned: Closable[] = [];
  const own: Own = (resource) => {
    owned.unshift(resource);
    return resource;
  };
  try {
    let service: Closable;
    try {
      service = await start(controller.signal, own);
    } catch (err) {
      const code = err instanceof ConfigError ? EXIT_CONFIG : EXIT_FAILURE;
      if (err instanceof ConfigError) {
        log.fatal({ err, details: err.details }, 'invalid configuration');
        writeError(`${name}: invalid configuration: ${err.message}\n`);
      } else {
        log.fatal({ err }, 'failed to start');
        writeError(`${name}: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
      }
      proc.exitCode = code;
      await closeInOrder(owned).catch((closeErr: unknown) => log.error({ err: closeErr }, 'error while closing after a failed start'));
      const timer = setTimeout(() => {
        // what still holds the process (timers, sockets, handles): the resource a close forgot
        log.error({ exitCode: code, activeResources: process.getActiveResourcesInfo() }, 'still running after a failed start; forcing exit');
        proc.exit(code);
      }, options.failedStartExitMs ?? FAILED_START_EXIT_MS);
      timer.unref();
      return;
    }
    log.info('started');
    if (proc.connected && proc.send) proc.send({ type: SERVICE_STARTED_MESSAGE, service: name });
    await stopRequested;
    try {
      await closeInOrder([service, ...owned]);
      log.info('stopped');
      if (proc.exitCode === undefined || proc.exitCode === null) proc.exitCode = 0;
    } catch (err) {
      log.error({ err }, 'error while closing');
      proc.exitCode = EXIT_FAILURE;
    }
    // The handlers stay: the same Ctrl-C relayed by a parent (the supervisor's SIGTERM) can arrive
    // after a fast close, while the process is still flushing its logs and exiting. Without a
    // handler Node's default action would kill it (exit 143) and a clean stop would read as a
    // failure. Signal handlers do not keep the event loop alive.
    serviceStopped = true;
  } finally {
    if (!serviceStopped) {
      proc.off('SIGINT', onInt);
      proc.off('SIGTERM', onTerm);
    }
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
