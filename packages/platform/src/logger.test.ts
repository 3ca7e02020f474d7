import { afterEach, describe, expect, it } from 'vitest';
import { configureLogging, createLogger } from './logger.js';

function collect() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, destination: { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) } };
}

describe('logger', () => {
  afterEach(() => {
    configureLogging({ level: 'info', systems: [] });
  });

  it('logs structured lines with the subsystem name and redacts secrets', () => {
    const { lines, destination } = collect();
    configureLogging({ level: 'info', destination });
    const log = createLogger('api-server:auth');
    log.info(
      { authorization: 'Bearer abc', headers: { authorization: 'Bearer def' }, binance: { apiKey: 'k', secret: 's' }, user: { password: 'p', token: 't', name: 'ann' } },
      'login',
    );
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).toMatchObject({ name: 'api-server:auth', msg: 'login', level: 30 });
    expect(line['authorization']).toBe('[REDACTED]');
    expect(line['headers']).toEqual({ authorization: '[REDACTED]' });
    expect(line['binance']).toEqual({ apiKey: '[REDACTED]', secret: '[REDACTED]' });
    expect(line['user']).toEqual({ password: '[REDACTED]', token: '[REDACTED]', name: 'ann' });
    expect(JSON.stringify(lines)).not.toMatch(/Bearer|"k"|"s"|"p"|"t"/);
  });

  it('takes the level from configuration, also for loggers created earlier, and filters subsystems', () => {
    const { lines, destination } = collect();
    const early = createLogger('paper-trader:matching');
    const other = createLogger('stream-manager:binance');
    configureLogging({ level: 'debug', destination, systems: ['paper-trader'] });
    early.debug('visible');
    other.info('filtered out');
    configureLogging({ level: 'warn', systems: [] });
    early.info('below level');
    other.warn('now visible');
    expect(lines.map((l) => l['msg'])).toEqual(['visible', 'now visible']);
    const explicit = createLogger('x', { level: 'error' });
    explicit.warn('hidden');
    explicit.error('shown');
    expect(lines.map((l) => l['msg'])).toEqual(['visible', 'now visible', 'shown']);
  });
});
