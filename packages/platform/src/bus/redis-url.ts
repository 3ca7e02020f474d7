import { ConfigError } from '../errors.js';

/** Where and how to reach Redis, from a `redis://` or `rediss://` (TLS) URL. */
export interface RedisEndpoint {
  tls: boolean;
  host: string;
  port: number;
  /** ACL user (Redis 6+); undefined = the default user */
  username: string | undefined;
  password: string | undefined;
  /** database index from the path (`/3`); 0 when absent */
  db: number;
}

/**
 * Reads a Redis URL the way ioredis and redis-cli do: `redis[s]://[[user]:password@]host[:port][/db]`.
 * Throws ConfigError naming what is wrong (scheme, port, database); never echoes the password.
 */
export function parseRedisUrl(url: string): RedisEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError('REDIS_URL is not a URL (expected redis://[user:password@]host[:port][/db] or rediss://… for TLS)');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new ConfigError(`REDIS_URL scheme "${u.protocol}" is not supported (use redis:// or rediss:// for TLS)`, { details: { scheme: u.protocol } });
  }
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new ConfigError(`REDIS_URL port "${u.port}" is not a port number`);
  const path = u.pathname.replace(/^\/+/, '');
  const db = path === '' ? 0 : Number(path);
  if (!/^\d*$/.test(path) || !Number.isSafeInteger(db)) throw new ConfigError(`REDIS_URL database "/${path}" is not a database number`);
  const username = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  return {
    tls: u.protocol === 'rediss:',
    // URL keeps the brackets of an IPv6 literal; sockets want the bare address
    host: u.hostname === '' ? '127.0.0.1' : u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    username: username === '' ? undefined : username,
    password: password === '' ? undefined : password,
    db,
  };
}

/** host:port with the scheme, for logs and errors (never the credentials). */
export function describeRedisEndpoint(e: RedisEndpoint): string {
  return `${e.tls ? 'rediss' : 'redis'}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}/${e.db}`;
}
