import { describe, expect, it } from 'vitest';
import { envBool, envInt, envOptStr, envStr } from './env.js';
import { ConfigError } from './errors.js';

describe('env helpers', () => {
  const env = { NAME: ' api ', EMPTY: '', PORT: '8000', BAD_INT: '80.5', NEG: '-3', YES: 'TRUE', NO: 'off', MAYBE: 'perhaps' };

  it('reads strings, treating empty as unset', () => {
    expect(envStr(env, 'NAME')).toBe('api');
    expect(envStr(env, 'EMPTY', 'fallback')).toBe('fallback');
    expect(envOptStr(env, 'EMPTY')).toBeUndefined();
    expect(envOptStr(env, 'NAME')).toBe('api');
    expect(() => envStr(env, 'MISSING')).toThrow(ConfigError);
    expect(() => envStr(env, 'MISSING')).toThrow(/MISSING is required/);
  });

  it('reads strict integers with bounds', () => {
    expect(envInt(env, 'PORT')).toBe(8000);
    expect(envInt(env, 'NEG')).toBe(-3);
    expect(envInt(env, 'MISSING', 5)).toBe(5);
    expect(() => envInt(env, 'BAD_INT')).toThrow(/BAD_INT must be an integer/);
    expect(() => envInt(env, 'PORT', undefined, { max: 1024 })).toThrow(/<= 1024/);
    expect(() => envInt(env, 'NEG', undefined, { min: 0 })).toThrow(ConfigError);
    expect(() => envInt(env, 'MISSING')).toThrow(ConfigError);
  });

  it('reads booleans', () => {
    expect(envBool(env, 'YES')).toBe(true);
    expect(envBool(env, 'NO')).toBe(false);
    expect(envBool(env, 'MISSING', true)).toBe(true);
    expect(() => envBool(env, 'MAYBE')).toThrow(/must be a boolean/);
    const err = (() => {
      try {
        envBool(env, 'MAYBE');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toMatchObject({ code: 'CONFIG_INVALID', name: 'ConfigError', details: { variable: 'MAYBE', value: 'perhaps' } });
  });
});
