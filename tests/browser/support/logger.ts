import { createLogger, type Logger } from '@btc-research/platform';

/** The platform logger the dashboard gets in tests, silenced. */
export function silentLogger(name = 'dashboard:test'): Logger {
  return createLogger(name, { level: 'silent' });
}
