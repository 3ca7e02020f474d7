import { pino, type DestinationStream, type Level, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;
export type LogLevel = Level | 'silent';

/** Paths whose values never reach a log line (API keys, JWTs, authorization headers, passwords). */
export const REDACTED_PATHS: readonly string[] = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'password',
  '*.password',
  'secret',
  '*.secret',
];

export interface LoggingOptions {
  /** level of every logger; the service config reads it from LOG_LEVEL. Default 'info'. */
  level?: LogLevel;
  /**
   * subsystem filter (LOG_SYSTEMS): only loggers whose name equals an entry or starts with
   * "<entry>:" log; the others are silent. Empty or undefined = all. '*' = all.
   */
  systems?: readonly string[];
  /** where log lines go; default stdout. Tests pass a collecting stream. */
  destination?: DestinationStream;
}

interface LoggerState {
  level: LogLevel;
  systems: readonly string[];
  destination: DestinationStream;
}

const state: LoggerState = {
  level: 'info',
  systems: [],
  destination: pino.destination({ dest: 1, sync: false }),
};

/** Forwards to the configured destination, so loggers created at import time follow later config. */
const forwardingStream: DestinationStream = {
  write(line: string) {
    state.destination.write(line);
  },
};

const root: Logger = pino(
  {
    level: 'trace',
    redact: { paths: [...REDACTED_PATHS], censor: '[REDACTED]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.epochTime,
  },
  forwardingStream,
);

interface NamedLogger {
  name: string;
  explicitLevel: LogLevel | undefined;
  logger: Logger;
}
const named: NamedLogger[] = [];

function isSystemEnabled(name: string, systems: readonly string[]): boolean {
  if (systems.length === 0) return true;
  return systems.some((s) => s === '*' || name === s || name.startsWith(`${s}:`));
}

function effectiveLevel(name: string, explicit: LogLevel | undefined): LogLevel {
  if (!isSystemEnabled(name, state.systems)) return 'silent';
  return explicit ?? state.level;
}

/**
 * Configures the root logger (level, subsystem filter, destination). Called once by a service's
 * main.ts after its config is loaded; loggers created earlier follow the new settings.
 */
export function configureLogging(options: LoggingOptions): Logger {
  if (options.level !== undefined) state.level = options.level;
  if (options.systems !== undefined) state.systems = [...options.systems];
  if (options.destination !== undefined) state.destination = options.destination;
  for (const n of named) n.logger.level = effectiveLevel(n.name, n.explicitLevel);
  return root;
}

export interface CreateLoggerOptions {
  /** overrides the root level for this logger only */
  level?: LogLevel;
}

/** A named subsystem logger, e.g. createLogger('paper-trader:matching'); the name is logged as `name`. */
export function createLogger(name: string, options: CreateLoggerOptions = {}): Logger {
  const logger = root.child({ name }, { level: effectiveLevel(name, options.level) });
  named.push({ name, explicitLevel: options.level, logger });
  return logger;
}
