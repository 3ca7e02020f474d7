import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { MessageType, makeEnvelope, type Envelope } from '@btc-research/contracts';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, UpstreamUnavailableError } from '../errors.js';
import { createLogger } from '../logger.js';
import { waitFor } from '../testing/wait-for.js';
import { RedisBus } from './redis-bus.js';
import { RespStreamWriter, type RespStreamWriterOptions } from './resp-stream-writer.js';

const BASE = new URL(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
const urlFor = (db: number, auth = ''): string => `redis://${auth}${BASE.hostname}:${BASE.port || 6379}/${db}`;
const REDIS_URL = urlFor(3);
const tag = `${process.pid}-${randomBytes(3).toString('hex')}`;
const key = (name: string): string => `resp-test-${tag}-${name}`;
const logger = createLogger('resp-test', { level: 'silent' });
const redis = new Redis(REDIS_URL);
const bus = new RedisBus({ redisUrl: REDIS_URL, logger });
const writers: RespStreamWriter[] = [];
const aclUsers: string[] = [];

function writer(options: Partial<RespStreamWriterOptions> = {}): RespStreamWriter {
  const w = new RespStreamWriter({ url: REDIS_URL, logger, ...options });
  writers.push(w);
  return w;
}

const trade = (i: number): Envelope =>
  makeEnvelope({ type: MessageType.trade, id: `t-${i}`, source: 'x', tsEvent: i, tsInit: i, payload: { venue: 'BINANCE', symbol: 'BTCUSDT', tradeId: String(i), price: '1.5', quantity: '2', time: i, isBuyerMaker: false } });

async function ids(stream: string, db = 3): Promise<string[]> {
  const r = db === 3 ? redis : new Redis(urlFor(db));
  try {
    const rows = (await r.xrange(stream, '-', '+')) as Array<[string, string[]]>;
    return rows.map(([, fields]) => (JSON.parse(fields[fields.indexOf('data') + 1]!) as Envelope).id);
  } finally {
    if (r !== redis) r.disconnect();
  }
}

/** the writer's connection id, found by its CLIENT SETNAME */
async function clientId(name: string): Promise<string> {
  const line = String(await redis.client('LIST')).split('\n').find((l) => l.includes(` name=${name} `));
  const id = /id=(\d+)/.exec(line ?? '')?.[1];
  if (id === undefined) throw new Error(`no client named ${name}`);
  return id;
}

afterAll(async () => {
  for (const w of writers) await w.close();
  let cursor = '0';
  for (const db of [3, 5]) {
    const r = new Redis(urlFor(db));
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `resp-test-${tag}-*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.del(...keys);
    } while (cursor !== '0');
    r.disconnect();
  }
  for (const u of aclUsers) await redis.call('ACL', 'DELUSER', u);
  redis.disconnect();
  await bus.close();
});

describe('RespStreamWriter', () => {
  it('never trims an entry a group delivered but did not acknowledge (a worker died mid-batch), then trims once it is acked', async () => {
    const w = writer();
    const stream = key('pending-kept');
    await redis.xgroup('CREATE', stream, 'g', '0', 'MKSTREAM');
    const first = await w.append(stream, trade(0), 20);
    await redis.xreadgroup('GROUP', 'g', 'dead-worker', 'COUNT', 1, 'STREAMS', stream, '>'); // delivered, never acknowledged
    const readAndAck = async (): Promise<void> => {
      const reply = (await redis.xreadgroup('GROUP', 'g', 'live-worker', 'COUNT', 10_000, 'STREAMS', stream, '>')) as Array<[string, Array<[string, string[]]>]> | null;
      const got = reply?.[0]?.[1].map(([id]) => id) ?? [];
      if (got.length > 0) await redis.xack(stream, 'g', ...got);
    };
    for (let i = 1; i <= 300; i++) {
      await w.append(stream, trade(i), 20);
      if (i % 50 === 0) await readAndAck();
    }
    await readAndAck();
    for (let i = 301; i <= 320; i++) await w.append(stream, trade(i), 20);
    const kept = (await redis.xrange(stream, '-', '+')).map(([id]) => id);
    expect(kept[0]).toBe(first);
    expect(kept.length).toBeGreaterThanOrEqual(321);
    await redis.xack(stream, 'g', first);
    await readAndAck();
    for (let i = 321; i <= 340; i++) await w.append(stream, trade(i), 20);
    expect(Number(await redis.xlen(stream))).toBeLessThan(100);
    await w.close();
  });

  it('makes the groups that read a stream before its first entry, so a reader that starts later finds every entry', async () => {
    const w = writer({ readBy: (stream) => (stream.endsWith('-read') ? ['late-reader'] : []) });
    const [read, unread] = [key('groups-read'), key('groups-none')];
    for (let i = 0; i < 200; i++) await Promise.all([w.append(read, trade(i), 20), w.append(unread, trade(i), 20)]);
    // the stream a group reads keeps all 200 for it; the other is trimmed to about its maxLen
    expect(Number(await redis.xlen(read))).toBe(200);
    expect(Number(await redis.xlen(unread))).toBeLessThan(100);
    const groups = (await redis.xinfo('GROUPS', read)) as unknown[][];
    expect(groups.map((g) => g[1])).toEqual(['late-reader']);
    // the reader starting now gets the very first entry
    const reply = (await redis.xreadgroup('GROUP', 'late-reader', 'c', 'COUNT', 1, 'STREAMS', read, '>')) as Array<[string, Array<[string, string[]]>]>;
    expect(reply[0]![1][0]![1].join(' ')).toContain('"t-0"');
    // a group that exists already is left as it is (BUSYGROUP is not an error)
    const again = writer({ readBy: () => ['late-reader'] });
    await again.append(read, trade(200), 20);
    expect(((await redis.xinfo('GROUPS', read)) as unknown[][]).length).toBe(1);
    await Promise.all([w.close(), again.close()]);
  });

  it('stores every envelope byte for byte, whatever its characters and size, also when one turn writes more than the first buffer holds', async () => {
    const w = writer();
    const stream = key('bytes-ü€𝄞');
    const env = (i: number, source: string): Envelope => ({ ...trade(i), source });
    // ASCII; multi-byte text whose byte length has more digits than its character length; 4-byte
    // characters; one entry of about 200 kB; then many entries in one turn (several buffer sizes)
    const envelopes = [env(0, 'plain'), env(1, '€'.repeat(500)), env(2, 'zürich-𝄞-"quoted"\\n'), env(3, 'x'.repeat(200_000)), ...Array.from({ length: 1500 }, (_, i) => env(4 + i, `s-${'é'.repeat(i % 7)}`))];
    await Promise.all(envelopes.map((e) => w.append(stream, e, 100_000)));
    const rows = (await redis.xrange(stream, '-', '+')) as Array<[string, string[]]>;
    expect(rows.map(([, fields]) => fields)).toEqual(envelopes.map((e) => ['type', e.type, 'v', '1', 'data', JSON.stringify(e)]));
    await w.close();
  });

  it('appends entries the bus reads back, in order, with group-safe MAXLEN trimming, and fails only the command Redis rejects', async () => {
    const w = writer();
    const stream = key('order');
    const wrong = key('wrongtype');
    await redis.set(wrong, 'not a stream');
    const appended = await Promise.all(Array.from({ length: 3000 }, (_, i) => w.append(stream, trade(i), 100_000)));
    await expect(w.append(wrong, trade(0), 10)).rejects.toThrow(/WRONGTYPE/);
    const after = await w.append(stream, trade(3000), 100_000);
    expect(new Set(appended).size).toBe(3000);
    expect(after > appended[appended.length - 1]!).toBe(true);
    const read = await bus.read(stream, '0', 5000);
    expect(read.map((e) => e.envelope.id)).toEqual(Array.from({ length: 3001 }, (_, i) => `t-${i}`));
    expect(read.map((e) => e.id)).toEqual([...appended, after]);
    // trimming goes with every maxLen/10 appends to a stream (no consumer group here: plain MAXLEN ~)
    for (let i = 0; i < 10; i++) await w.append(stream, trade(9), 100);
    expect(Number(await redis.xlen(stream))).toBeLessThan(1000);
    expect(w.writes).toBeLessThan(100); // one socket write per event-loop turn, not one per append
    await w.close();
    expect(w.isDone).toBe(true);
    await expect(w.append(stream, trade(1), 10)).rejects.toThrow(/closed/);
  });

  it('authenticates as an ACL user and selects the database from the URL', async () => {
    const user = `resp-test-${tag}`;
    const password = randomBytes(12).toString('hex');
    aclUsers.push(user);
    await redis.call('ACL', 'SETUSER', user, 'on', `>${password}`, `~resp-test-${tag}-*`, '+xadd', '+select', '+client|setname');
    const w = writer({ url: urlFor(5, `${user}:${password}@`), clientName: `resp-test-${tag}-acl` });
    const stream = key('acl');
    await w.append(stream, trade(1), 100);
    await w.append(stream, trade(2), 100);
    expect(await ids(stream, 5)).toEqual(['t-1', 't-2']);
    expect(await redis.exists(stream)).toBe(0); // not in database 3
    // a key outside the user's pattern: Redis refuses that append, the writer goes on
    await expect(w.append('not-allowed', trade(3), 100)).rejects.toThrow(/NOPERM/);
    await w.append(stream, trade(4), 100);
    expect(await ids(stream, 5)).toEqual(['t-1', 't-2', 't-4']);
  });

  it('a refused AUTH or SELECT is a configuration error: every append rejects with it and the writer stops', async () => {
    const badPassword = writer({ url: urlFor(3, `resp-test-nobody-${tag}:wrong@`), offlineTimeoutMs: 60_000 });
    const err = await badPassword.append(key('x'), trade(1), 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/refused AUTH: WRONGPASS/);
    expect((err as Error).message).not.toContain('wrong@');
    expect(badPassword.isDone).toBe(true);
    await expect(badPassword.append(key('x'), trade(2), 10)).rejects.toThrow(/refused AUTH/);

    const badDb = writer({ url: urlFor(99_999), offlineTimeoutMs: 60_000 });
    await expect(badDb.append(key('x'), trade(1), 10)).rejects.toThrow(/refused SELECT: ERR DB index is out of range/);
    expect(await redis.exists(key('x'))).toBe(0);
  });

  it('reconnects after the server drops the connection; appends made meanwhile are written once it is back', async () => {
    const name = `resp-test-${tag}-reconnect`;
    const w = writer({ clientName: name, reconnect: { baseMs: 20, maxMs: 200 } });
    const stream = key('reconnect');
    await Promise.all(Array.from({ length: 100 }, (_, i) => w.append(stream, trade(i), 10_000)));
    const firstId = await clientId(name);
    await redis.client('KILL', 'ID', firstId);
    await waitFor(() => !w.isReady, { what: 'the writer to notice the dropped connection' });
    const later = Array.from({ length: 100 }, (_, i) => w.append(stream, trade(100 + i), 10_000));
    await Promise.all(later);
    expect(await clientId(name)).not.toBe(firstId);
    expect(await ids(stream)).toEqual(Array.from({ length: 200 }, (_, i) => `t-${i}`));
  });

  it('an append in flight when the connection drops rejects with a clear error, never silently; the writer goes on', async () => {
    const name = `resp-test-${tag}-inflight`;
    const w = writer({ clientName: name, reconnect: { baseMs: 20, maxMs: 200 } });
    const stream = key('inflight');
    await w.append(stream, trade(100_000), 100_000);
    const id = await clientId(name);
    const outcomes = Array.from({ length: 20_000 }, (_, i) => w.append(stream, trade(i), 100_000).then((entryId) => ({ i, entryId }), (e: unknown) => ({ i, error: e as Error })));
    await redis.client('KILL', 'ID', id);
    const settled = await Promise.all(outcomes);
    const failed = settled.filter((o): o is { i: number; error: Error } => 'error' in o);
    for (const f of failed) {
      expect(f.error).toBeInstanceOf(UpstreamUnavailableError);
      expect(f.error.message).toMatch(/lost before it acknowledged the append/);
    }
    const stored = new Set(await ids(stream));
    for (const o of settled) if ('entryId' in o) expect(stored.has(`t-${o.i}`)).toBe(true);
    await w.append(stream, trade(99_999), 100_000);
    expect((await ids(stream)).at(-1)).toBe('t-99999');
  });

  it('fails loudly when Redis is unreachable: appends reject with the connection error after offlineTimeoutMs, later ones at once', async () => {
    const w = writer({ url: 'redis://127.0.0.1:1/3', offlineTimeoutMs: 300, reconnect: { baseMs: 50, maxMs: 100 } });
    const started = Date.now();
    const err = await w.append(key('never'), trade(1), 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect((err as Error).message).toMatch(/redis:\/\/127\.0\.0\.1:1\/3 unreachable .*ECONNREFUSED/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const t = Date.now();
    await expect(w.append(key('never'), trade(2), 10)).rejects.toThrow(/unreachable/);
    expect(Date.now() - t).toBeLessThan(100);
  });

  it('rediss:// speaks TLS: through a TLS proxy to Redis it appends; to a server without TLS it says the TLS connection failed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'resp-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-days', '1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
      const cert = readFileSync(path.join(dir, 'cert.pem'));
      const proxy = tls.createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, (client) => {
        const upstream = net.connect(Number(BASE.port || 6379), BASE.hostname);
        client.pipe(upstream).pipe(client);
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      const port = (proxy.address() as net.AddressInfo).port;
      try {
        const w = writer({ url: `rediss://localhost:${port}/3`, tls: { ca: cert } });
        const stream = key('tls');
        await w.append(stream, trade(1), 100);
        expect(await ids(stream)).toEqual(['t-1']);
        await w.close();

        const untrusted = writer({ url: `rediss://localhost:${port}/3`, offlineTimeoutMs: 300 });
        await expect(untrusted.append(stream, trade(2), 100)).rejects.toThrow(/TLS connection failed: self.signed certificate/);
      } finally {
        proxy.close();
      }
      // a plain Redis never answers a TLS ClientHello: the attempt times out and says why
      const plain = writer({ url: `rediss://${BASE.hostname}:${BASE.port || 6379}/3`, offlineTimeoutMs: 1_000, connectTimeoutMs: 300 });
      await expect(plain.append(key('tls-plain'), trade(1), 10)).rejects.toThrow(/rediss:\/\/.* unreachable .*TLS connection failed: TLS handshake not complete within 300 ms \(does the server speak TLS/);
      const stillConnecting = writer({ url: `rediss://${BASE.hostname}:${BASE.port || 6379}/3`, offlineTimeoutMs: 300, connectTimeoutMs: 5_000 });
      await expect(stillConnecting.append(key('tls-plain'), trade(1), 10)).rejects.toThrow(/unreachable .*TLS handshake not complete within \d+ ms/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
