import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { describeRedisEndpoint, parseRedisUrl } from './redis-url.js';

describe('parseRedisUrl', () => {
  it('reads scheme (TLS for rediss), host, port, ACL user, password and database', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6379')).toEqual({ tls: false, host: '127.0.0.1', port: 6379, username: undefined, password: undefined, db: 0 });
    expect(parseRedisUrl('rediss://cache.example.com/2')).toEqual({ tls: true, host: 'cache.example.com', port: 6379, username: undefined, password: undefined, db: 2 });
    expect(parseRedisUrl('redis://:s%40cret@h:6380/15')).toMatchObject({ username: undefined, password: 's@cret', port: 6380, db: 15 });
    expect(parseRedisUrl('rediss://md-writer:p%2Fw@h')).toMatchObject({ tls: true, username: 'md-writer', password: 'p/w' });
    expect(parseRedisUrl('redis://[::1]:7000/1')).toMatchObject({ host: '::1', port: 7000, db: 1 });
  });

  it('refuses what it cannot connect to with a ConfigError that names the part and never the password', () => {
    const attempts = ['http://h:6379', 'redis://h:99999', 'redis://h/abc', 'not a url', 'redis://u:topsecret@h/x'];
    const errors = attempts.map((url) => {
      try {
        parseRedisUrl(url);
        return null;
      } catch (err) {
        return err as Error;
      }
    });
    for (const err of errors) expect(err).toBeInstanceOf(ConfigError);
    expect(errors.map((e) => e?.message)).toEqual([
      'REDIS_URL scheme "http:" is not supported (use redis:// or rediss:// for TLS)',
      expect.stringMatching(/^REDIS_URL is not a URL/), // WHATWG URL refuses a port above 65535
      'REDIS_URL database "/abc" is not a database number',
      expect.stringMatching(/is not a URL/),
      'REDIS_URL database "/x" is not a database number',
    ]);
    expect(errors.some((e) => e?.message.includes('topsecret'))).toBe(false);
  });

  it('describes an endpoint for logs without credentials', () => {
    expect(describeRedisEndpoint(parseRedisUrl('rediss://user:pw@redis.internal:6380/4'))).toBe('rediss://redis.internal:6380/4');
    expect(describeRedisEndpoint(parseRedisUrl('redis://[::1]/0'))).toBe('redis://[::1]:6379/0');
  });
});
