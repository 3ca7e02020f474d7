import { ConfigError } from './errors.js';

/** The environment as a plain record; only a service's config.ts passes `process.env` in. */
export type EnvRecord = Readonly<Record<string, string | undefined>>;

function raw(env: EnvRecord, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A string variable; an empty value counts as unset. Throws ConfigError when unset without default. */
export function envStr(env: EnvRecord, name: string, fallback?: string): string {
  const value = raw(env, name);
  if (value !== undefined) return value;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(`environment variable ${name} is required`, { details: { variable: name } });
}

/** An optional string variable: undefined when unset or empty. */
export function envOptStr(env: EnvRecord, name: string): string | undefined {
  return raw(env, name);
}

export interface EnvIntOptions {
  min?: number;
  max?: number;
}

/** A base-10 integer variable (no exponent, no fraction). */
export function envInt(env: EnvRecord, name: string, fallback?: number, options: EnvIntOptions = {}): number {
  const value = raw(env, name);
  let parsed: number;
  if (value === undefined) {
    if (fallback === undefined) {
      throw new ConfigError(`environment variable ${name} is required`, { details: { variable: name } });
    }
    parsed = fallback;
  } else {
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw new ConfigError(`environment variable ${name} must be an integer, got "${value}"`, {
        details: { variable: name, value },
      });
    }
    parsed = Number(value);
  }
  if (options.min !== undefined && parsed < options.min) {
    throw new ConfigError(`environment variable ${name} must be >= ${options.min}, got ${parsed}`, {
      details: { variable: name, value: parsed },
    });
  }
  if (options.max !== undefined && parsed > options.max) {
    throw new ConfigError(`environment variable ${name} must be <= ${options.max}, got ${parsed}`, {
      details: { variable: name, value: parsed },
    });
  }
  return parsed;
}

const TRUE_VALUES = new Set(['1', 'true', 'yes', 'on']);
const FALSE_VALUES = new Set(['0', 'false', 'no', 'off']);

/** A boolean variable: 1/true/yes/on or 0/false/no/off (case-insensitive). */
export function envBool(env: EnvRecord, name: string, fallback?: boolean): boolean {
  const value = raw(env, name);
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new ConfigError(`environment variable ${name} is required`, { details: { variable: name } });
  }
  const lower = value.toLowerCase();
  if (TRUE_VALUES.has(lower)) return true;
  if (FALSE_VALUES.has(lower)) return false;
  throw new ConfigError(`environment variable ${name} must be a boolean (true/false/1/0/yes/no/on/off), got "${value}"`, {
    details: { variable: name, value },
  });
}
