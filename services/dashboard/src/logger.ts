import { pino, type Logger } from 'pino';

/** The dashboard's pino logger (JSON lines on stdout); `silent` for tests and benches. */
export function makeLogger(level: string = process.env['LOG_LEVEL'] ?? 'info'): Logger {
  return pino({ name: 'dashboard', level });
}
