import { describe, expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.js';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('TtlCache (stale-while-revalidate)', () => {
  it('serves a fresh value without reloading, and shares one load between concurrent callers', async () => {
    let t = 0;
    let loads = 0;
    const cache = new TtlCache<number>(1_000, () => t);
    const load = async () => ++loads;
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    t = 999;
    expect(await cache.get('k', load)).toBe(1);
    expect(loads).toBe(1);
  });

  it('serves the old value while one reload runs after expiry or invalidation, then the new one', async () => {
    let t = 0;
    const cache = new TtlCache<string>(1_000, () => t);
    await cache.get('strategy:a:stats', async () => 'v1');
    cache.invalidate('strategy:a:');
    const reload = deferred<string>();
    let reloads = 0;
    const load = () => {
      reloads += 1;
      return reload.promise;
    };
    expect(await cache.get('strategy:a:stats', load)).toBe('v1');
    expect(await cache.get('strategy:a:stats', load)).toBe('v1');
    expect(reloads).toBe(1);
    reload.resolve('v2');
    await reload.promise;
    await Promise.resolve();
    expect(await cache.get('strategy:a:stats', load)).toBe('v2');
    t = 1_500;
    expect(await cache.get('strategy:a:stats', async () => 'v3')).toBe('v2');
  });

  it('never serves a value older than maxStaleMs, and never caches failures', async () => {
    let t = 0;
    const cache = new TtlCache<string>(1_000, () => t, 5_000);
    await cache.get('k', async () => 'old');
    t = 6_000;
    expect(await cache.get('k', async () => 'new')).toBe('new');
    await expect(cache.get('f', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.get('f', async () => 'ok')).toBe('ok');
  });

  it('is off with ttl 0', async () => {
    let loads = 0;
    const cache = new TtlCache<number>(0, () => 0);
    await cache.get('k', async () => ++loads);
    await cache.get('k', async () => ++loads);
    expect(loads).toBe(2);
  });
});

describe('TtlCache.drop', () => {
  it('forgets the entries of a prefix: the next read waits for a fresh value instead of serving the stale one', async () => {
    let t = 0;
    const cache = new TtlCache<string>(1_000, () => t);
    let version = 'before';
    const load = async () => version;
    expect(await cache.get('active', load)).toBe('before');
    expect(await cache.get('other', load)).toBe('before');
    version = 'after';
    cache.invalidate('active');
    expect(await cache.get('active', load)).toBe('before'); // stale-while-revalidate
    cache.drop('active');
    version = 'after-drop';
    expect(await cache.get('active', load)).toBe('after-drop');
    t = 10;
    expect(await cache.get('other', load)).toBe('before');
  });
});
