import { createLogger, type Logger } from '@btc-research/platform';

export interface LoggedLine {
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

/** A logger that remembers what was logged at info, warn and error (level, message, fields). */
export function recordingLogger(): { logger: Logger; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const base = createLogger('paper-trader-test', { level: 'silent' });
  const wrap = (l: Logger): Logger =>
    new Proxy(l, {
      get(target, prop, receiver) {
        if (prop === 'child') return (...args: unknown[]) => wrap((target.child as unknown as (...a: unknown[]) => Logger)(...args));
        if (prop === 'info' || prop === 'warn' || prop === 'error') {
          return (...args: unknown[]) => {
            const msg = args.find((a) => typeof a === 'string') as string | undefined;
            const fields = args.find((a) => a !== null && typeof a === 'object') as Record<string, unknown> | undefined;
            lines.push({ level: prop, msg: msg ?? '', fields: fields ?? {} });
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
  return { logger: wrap(base), lines };
}
