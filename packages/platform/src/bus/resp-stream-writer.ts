import net from 'node:net';
import tls from 'node:tls';
import { encodeEnvelope, type Envelope } from '@btc-research/contracts';
import { backoffDelay, type BackoffOptions } from '../backoff.js';
import { ConfigError, UpstreamUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { EnvelopeWriter } from './envelope-writer.js';
import { RespCommandBuffer } from './resp-command-buffer.js';
import { describeRedisEndpoint, parseRedisUrl, type RedisEndpoint } from './redis-url.js';

export interface RespStreamWriterOptions {
  /** redis://[user:password@]host[:port][/db], or rediss://… for TLS */
  url: string;
  logger: Logger;
  /** a TCP/TLS connection attempt that takes longer fails (ms). Default 5 000. */
  connectTimeoutMs?: number;
  /** appends wait this long for Redis to come back, then they (and later ones) reject until it does (ms). Default 10 000. */
  offlineTimeoutMs?: number;
  /** at most this many appends wait for a connection; beyond that they reject at once. Default 100 000. */
  maxQueued?: number;
  /** delays between reconnection attempts. Default 100 ms doubling up to 5 s, with jitter. */
  reconnect?: BackoffOptions;
  /** extra TLS settings for rediss:// (ca, cert, key, rejectUnauthorized, …) */
  tls?: tls.ConnectionOptions;
  /** CLIENT SETNAME on every connection (shows in CLIENT LIST); none by default, so a user limited to XADD works */
  clientName?: string;
  /**
   * The consumer groups that read a stream. Each is created (from the stream's start, MKSTREAM)
   * before this writer's first entry on the stream, so the group-safe trim waits for a reader that
   * has not started yet instead of trimming what it will want to read. None by default.
   */
  readBy?: (stream: string) => readonly string[];
}

interface Waiter {
  resolve: (id: string) => void;
  reject: (err: Error) => void;
}

type State = 'connecting' | 'handshake' | 'ready' | 'offline' | 'failed' | 'closed';

/** Reply types this writer can get: bulk string ($), simple string (+), error (-), integer (:). */
type Reply = { ok: true; value: string } | { ok: false; message: string };

/**
 * The market-data write path to Redis: one connection that only appends (XADD … * type
 * v data), written by hand because it is the hot path — it spends about a third of the CPU per
 * append that ioredis does (see `pnpm bench market-data`). Every append queued in one turn of the
 * event loop goes out in one socket write; replies are matched in order.
 *
 * - `redis://` and `rediss://` (TLS), AUTH (ACL user or password) and SELECT from the URL, checked
 *   before anything else is sent; a refused AUTH/SELECT is a configuration error (ConfigError):
 *   it is logged, every append rejects with it and the writer stops ("not now" answers such as
 *   LOADING or "max number of clients" are retried like a lost connection).
 * - A lost connection rejects the appends Redis had not acknowledged (they may or may not be in the
 *   stream) and reconnects with backoff; new appends wait for the connection, for at most
 *   `offlineTimeoutMs`, then reject with the connection error until Redis is back.
 * - An append Redis refuses (WRONGTYPE, NOPERM, OOM…) rejects with Redis's message; the others go on.
 * - Trimming never passes what a consumer group has not read (GROUP_SAFE_TRIM): a paper trader that
 *   is down while more than maxLen entries pass finds all of them when it comes back; the stream
 *   grows meanwhile (a warning names the group), and is trimmed back to maxLen once it has caught up.
 */
export class RespStreamWriter implements EnvelopeWriter {
  private readonly endpoint: RedisEndpoint;
  private readonly where: string;
  private readonly log: Logger;
  private state: State = 'connecting';
  private socket: net.Socket | null = null;
  /** appends in call order; [head, sent) are on the wire, [sent, length) wait in `out` */
  private pending: Array<Waiter | null> = [];
  private head = 0;
  private sent = 0;
  private readonly out = new RespCommandBuffer();
  /** per stream, the XADD up to the data's bulk string (a stream carries one message type) */
  private readonly xaddPrefixes = new Map<string, { type: string; v: number; text: string }>();
  private flushScheduled = false;
  private inbuf = '';
  /** names of the AUTH/SELECT/CLIENT commands whose replies are still due, oldest first */
  private handshake: string[] = [];
  private attempts = 0;
  private offlineSince: number;
  private offlineExpired = false;
  private offlineTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private lastError = 'not connected yet';
  private connectStartedAt = 0;
  private failure: Error | null = null;
  private closing = false;
  private readonly heldBackWarnedAt = new Map<string, number>();
  /** appends per stream since its last trim */
  private readonly sinceTrim = new Map<string, number>();
  /** streams whose reading groups this writer has made sure of */
  private readonly groupsEnsured = new Set<string>();
  /** socket writes so far (each carries every append of one event-loop turn) */
  writes = 0;

  constructor(private readonly options: RespStreamWriterOptions) {
    this.endpoint = parseRedisUrl(options.url);
    this.where = describeRedisEndpoint(this.endpoint);
    this.log = options.logger;
    this.offlineSince = Date.now();
    this.armOfflineTimer();
    this.connect();
  }

  /** true once the writer is closed or failed for good (a refused AUTH/SELECT) */
  get isDone(): boolean {
    return this.state === 'failed' || this.state === 'closed';
  }

  get isReady(): boolean {
    return this.state === 'ready';
  }

  append(stream: string, envelope: Envelope, maxLen: number): Promise<string> {
    const refusal = this.refusal();
    if (refusal !== null) return Promise.reject(refusal);
    if (!this.groupsEnsured.has(stream)) this.ensureGroups(stream);
    // no MAXLEN on the XADD: GROUP_SAFE_TRIM (below) trims, never past what a consumer group has not read
    this.out.text(this.xaddPrefix(stream, envelope));
    this.out.bulk(encodeEnvelope(envelope));
    const promise = new Promise<string>((resolve, reject) => this.pending.push({ resolve, reject }));
    this.countForTrim(stream, maxLen);
    if (this.state === 'ready' && !this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(this.flush);
    }
    return promise;
  }

  /** `XADD <stream> * type <type> v <v> data`, as RESP up to the data's bulk string */
  private xaddPrefix(stream: string, envelope: Envelope): string {
    const cached = this.xaddPrefixes.get(stream);
    if (cached !== undefined && cached.type === envelope.type && cached.v === envelope.v) return cached.text;
    const type = String(envelope.type);
    const v = String(envelope.v);
    const text = `*9\r\n${encodeBulk('XADD')}${encodeBulk(stream)}${encodeBulk('*')}${encodeBulk('type')}${encodeBulk(type)}${encodeBulk('v')}${encodeBulk(v)}${encodeBulk('data')}`;
    this.xaddPrefixes.set(stream, { type: envelope.type, v: envelope.v, text });
    return text;
  }

  /** Queues XGROUP CREATE of every group that reads `stream` (one that exists already answers BUSYGROUP: fine). */
  private ensureGroups(stream: string): void {
    this.groupsEnsured.add(stream);
    for (const group of this.options.readBy?.(stream) ?? []) {
      this.out.command(['XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM']);
      this.pending.push({
        resolve: () => undefined,
        reject: (err) => {
          if (!String(err.message).includes('BUSYGROUP')) this.log.warn({ err, stream, group }, 'could not create the consumer group of a market-data stream; trimming may not wait for it');
        },
      });
    }
  }

  /** A trim a consumer group held back (negative count) is logged, at most once a minute per stream. */
  private noteTrim(stream: string, maxLen: number, removed: number): void {
    if (!(removed < 0)) return;
    const now = Date.now();
    if (now - (this.heldBackWarnedAt.get(stream) ?? 0) < 60_000) return;
    this.heldBackWarnedAt.set(stream, now);
    this.log.warn({ stream, maxLen }, 'market-data stream kept past its maxLen: a consumer group has not read the oldest entries (nothing is trimmed unread)');
  }

  /** Every maxLen/10 appends (at most 1 000) to a stream, queues a group-safe trim of it behind them. */
  private countForTrim(stream: string, maxLen: number): void {
    const n = Math.max(0, Math.floor(maxLen));
    const count = (this.sinceTrim.get(stream) ?? 0) + 1;
    if (count < Math.min(1_000, Math.max(1, Math.floor(n / 10)))) {
      this.sinceTrim.set(stream, count);
      return;
    }
    this.sinceTrim.set(stream, 0);
    this.out.command(['EVAL', GROUP_SAFE_TRIM, '1', stream, String(n)]);
    this.pending.push({
      resolve: (removed) => this.noteTrim(stream, n, Number(removed)),
      reject: (err) => this.log.warn({ err, stream }, 'trimming a market-data stream failed (it is retried on the next appends)'),
    });
  }

  /** why an append cannot be taken now, or null */
  private refusal(): Error | null {
    if (this.closing || this.state === 'closed') return new UpstreamUnavailableError(`Redis stream writer for ${this.where} is closed`);
    if (this.failure !== null) return this.failure;
    if (this.state === 'ready') return null;
    if (this.offlineExpired) return this.offlineError();
    if (this.pending.length - this.sent >= (this.options.maxQueued ?? 100_000)) {
      return new UpstreamUnavailableError(`Redis at ${this.where} unavailable (${this.lastError}): ${this.pending.length - this.sent} appends already waiting`);
    }
    return null;
  }

  private offlineError(): Error {
    const seconds = ((Date.now() - this.offlineSince) / 1000).toFixed(1);
    return new UpstreamUnavailableError(`Redis at ${this.where} unreachable for ${seconds} s (${this.lastError}); appends fail until it is back`);
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.state !== 'ready' || this.out.isEmpty || this.socket === null) return;
    this.out.writeTo(this.socket);
    this.sent = this.pending.length;
    this.writes += 1;
  };

  private connect(): void {
    if (this.closing || this.state === 'failed' || this.state === 'closed') return;
    this.state = 'connecting';
    const { host, port } = this.endpoint;
    const socket = this.endpoint.tls
      ? tls.connect({ host, port, ...(net.isIP(host) === 0 ? { servername: host } : {}), ...this.options.tls })
      : net.createConnection({ host, port });
    this.socket = socket;
    let isConnected = false;
    this.connectStartedAt = Date.now();
    const timeoutMs = this.options.connectTimeoutMs ?? 5_000;
    const timeout = setTimeout(() => socket.destroy(new Error(this.pendingConnectionReason(timeoutMs))), timeoutMs);
    timeout.unref();
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    socket.once(this.endpoint.tls ? 'secureConnect' : 'connect', () => {
      isConnected = true;
      clearTimeout(timeout);
      this.startHandshake(socket);
    });
    socket.on('data', (chunk: string) => this.onData(socket, chunk));
    socket.on('error', (err: Error) => {
      clearTimeout(timeout);
      const what = this.endpoint.tls && !isConnected ? 'TLS connection failed' : isConnected ? 'connection error' : 'connection failed';
      this.onGone(socket, `${what}: ${err.message}`);
    });
    socket.on('close', () => {
      clearTimeout(timeout);
      this.onGone(socket, isConnected ? 'connection closed by the server' : 'connection closed before it was established');
    });
  }

  /** what the connection attempt in progress is waiting for */
  private pendingConnectionReason(afterMs = Date.now() - this.connectStartedAt): string {
    if (this.state === 'handshake') return `no reply to ${this.handshake.join('/')} within ${afterMs} ms`;
    return this.endpoint.tls ? `TLS handshake not complete within ${afterMs} ms (does the server speak TLS on this port?)` : `no connection within ${afterMs} ms`;
  }

  private startHandshake(socket: net.Socket): void {
    const { username, password, db } = this.endpoint;
    const commands: string[][] = [];
    if (password !== undefined) commands.push(username === undefined ? ['AUTH', password] : ['AUTH', username, password]);
    if (db !== 0) commands.push(['SELECT', String(db)]);
    if (this.options.clientName !== undefined) commands.push(['CLIENT', 'SETNAME', this.options.clientName]);
    if (commands.length === 0) return this.becomeReady();
    this.state = 'handshake';
    this.handshake = commands.map((c) => c[0]!);
    socket.write(commands.map(encodeCommand).join(''));
  }

  private becomeReady(): void {
    const wasDownMs = Date.now() - this.offlineSince;
    const isReconnect = this.attempts > 0 || this.writes > 0;
    this.state = 'ready';
    this.attempts = 0;
    this.offlineExpired = false;
    if (this.offlineTimer !== null) clearTimeout(this.offlineTimer);
    this.offlineTimer = null;
    if (isReconnect) this.log.info({ redis: this.where, downMs: wasDownMs }, 'Redis stream writer reconnected');
    this.flush();
  }

  private onData(socket: net.Socket, chunk: string): void {
    if (socket !== this.socket) return;
    this.inbuf = this.inbuf === '' ? chunk : this.inbuf + chunk;
    const buf = this.inbuf;
    let i = 0;
    for (;;) {
      const eol = buf.indexOf('\r\n', i);
      if (eol < 0) break;
      const type = buf.charCodeAt(i);
      let reply: Reply;
      let next: number;
      if (type === 36 /* $ */) {
        const n = Number(buf.slice(i + 1, eol));
        if (n < 0) {
          reply = { ok: true, value: '' };
          next = eol + 2;
        } else {
          if (buf.length < eol + 2 + n + 2) break; // stream ids are ASCII: characters = bytes
          reply = { ok: true, value: buf.slice(eol + 2, eol + 2 + n) };
          next = eol + 4 + n;
        }
      } else if (type === 45 /* - */) {
        reply = { ok: false, message: buf.slice(i + 1, eol) };
        next = eol + 2;
      } else if (type === 43 /* + */ || type === 58 /* : */) {
        reply = { ok: true, value: buf.slice(i + 1, eol) };
        next = eol + 2;
      } else {
        this.inbuf = '';
        socket.destroy(new Error(`unexpected reply from Redis: ${JSON.stringify(buf.slice(i, Math.min(eol, i + 80)))}`));
        return;
      }
      i = next;
      if (!this.onReply(socket, reply)) return;
    }
    this.inbuf = i >= buf.length ? '' : buf.slice(i);
  }

  /** false when the connection was given up on */
  private onReply(socket: net.Socket, reply: Reply): boolean {
    if (this.handshake.length > 0) {
      const command = this.handshake.shift()!;
      if (!reply.ok && TRANSIENT_REPLY.test(reply.message)) {
        socket.destroy(new Error(`Redis answered ${command} with ${reply.message}`));
        return false;
      }
      if (!reply.ok) {
        this.failPermanently(new ConfigError(`Redis at ${this.where} refused ${command}: ${reply.message} (check the user, password and database in REDIS_URL)`, { details: { redis: this.where, command } }));
        socket.destroy();
        return false;
      }
      if (this.handshake.length === 0) this.becomeReady();
      return true;
    }
    if (this.head >= this.sent) {
      socket.destroy(new Error('Redis sent a reply nothing asked for'));
      return false;
    }
    const waiter = this.pending[this.head];
    this.pending[this.head] = null;
    this.head += 1;
    if (this.head > 4096 && this.head * 2 > this.pending.length) {
      this.pending.splice(0, this.head);
      this.sent -= this.head;
      this.head = 0;
    }
    if (reply.ok) waiter?.resolve(reply.value);
    else waiter?.reject(new Error(`Redis refused XADD: ${reply.message}`));
    return true;
  }

  /** The socket is gone (error or close, reported once per socket). */
  private onGone(socket: net.Socket, reason: string): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.inbuf = '';
    this.handshake = [];
    socket.destroy();
    const unacknowledged = this.sent - this.head;
    if (unacknowledged > 0) {
      const err = new UpstreamUnavailableError(`connection to Redis at ${this.where} lost before it acknowledged the append (${reason}); the entry may or may not be in the stream`);
      this.rejectRange(this.head, this.sent, err);
      this.head = this.sent;
    }
    if (this.state === 'failed' || this.state === 'closed' || this.closing) return;
    const wasReady = this.state === 'ready';
    this.state = 'offline';
    this.lastError = reason;
    if (wasReady) {
      this.offlineSince = Date.now();
      this.armOfflineTimer();
      this.log.warn({ redis: this.where, reason, unacknowledged }, 'Redis stream writer lost its connection; reconnecting');
    } else if (this.attempts === 0 || this.attempts % 20 === 0) {
      this.log.warn({ redis: this.where, reason, attempts: this.attempts + 1 }, 'Redis stream writer cannot connect; retrying');
    }
    this.attempts += 1;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, backoffDelay(this.attempts, this.options.reconnect ?? { baseMs: 100, maxMs: 5_000 }));
    this.reconnectTimer.unref();
  }

  /** After offlineTimeoutMs without a connection, waiting appends reject, and so do new ones until Redis is back. */
  private armOfflineTimer(): void {
    if (this.offlineTimer !== null) clearTimeout(this.offlineTimer);
    this.offlineTimer = setTimeout(() => {
      this.offlineTimer = null;
      if (this.state === 'ready' || this.isDone) return;
      this.offlineExpired = true;
      // the first attempt is still under way: say what it waits for (a failed attempt's error says more)
      if ((this.state === 'connecting' || this.state === 'handshake') && this.attempts === 0) this.lastError = this.pendingConnectionReason();
      const err = this.offlineError();
      const waiting = this.pending.length - this.sent;
      this.log.error({ redis: this.where, reason: this.lastError, waiting }, 'Redis unreachable: market-data appends fail until it is back');
      this.dropUnsent(err);
    }, this.options.offlineTimeoutMs ?? 10_000);
    this.offlineTimer.unref();
  }

  private dropUnsent(err: Error): void {
    this.rejectRange(this.sent, this.pending.length, err);
    this.pending.length = this.sent;
    this.out.clear();
  }

  private rejectRange(from: number, to: number, err: Error): void {
    for (let i = from; i < to; i++) {
      const waiter = this.pending[i];
      this.pending[i] = null;
      waiter?.reject(err);
    }
  }

  private failPermanently(err: Error): void {
    this.failure = err;
    this.state = 'failed';
    this.log.error({ redis: this.where, err }, 'Redis stream writer stopped: configuration refused by Redis');
    this.stopTimers();
    this.rejectRange(this.head, this.pending.length, err);
    this.head = this.sent = this.pending.length = 0;
    this.out.clear();
  }

  private stopTimers(): void {
    if (this.offlineTimer !== null) clearTimeout(this.offlineTimer);
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.offlineTimer = this.reconnectTimer = null;
  }

  async close(): Promise<void> {
    if (this.closing || this.state === 'closed') return;
    this.closing = true;
    this.flush();
    const deadline = Date.now() + 2_000;
    while (this.state === 'ready' && this.head < this.sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const wasFailed = this.state === 'failed';
    this.state = 'closed';
    this.stopTimers();
    if (!wasFailed) this.rejectRange(this.head, this.pending.length, new UpstreamUnavailableError(`Redis stream writer for ${this.where} closed before Redis acknowledged the append`));
    this.head = this.sent = this.pending.length = 0;
    this.out.clear();
    const socket = this.socket;
    this.socket = null;
    socket?.end();
    if (socket !== null) setTimeout(() => socket.destroy(), 1_000).unref();
  }
}

/**
 * Trims KEYS[1] towards ARGV[1] entries, never past an entry a consumer group has not read or not
 * acknowledged: the cut is the id after the oldest `excess` entries (at most 10 000 per call; later
 * calls catch up), or — when earlier — the oldest id a group still needs (its oldest pending entry,
 * else the one after its last-delivered id). A stream without groups gets plain XTRIM MAXLEN ~.
 * Returns the number of entries removed, or −1 − that number when a group held the trim back.
 */
export const GROUP_SAFE_TRIM = `
local key = KEYS[1]
local maxlen = tonumber(ARGV[1])
local excess = redis.call('XLEN', key) - maxlen
if excess <= 0 then return 0 end
local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', key)
if not ok or #groups == 0 then return redis.call('XTRIM', key, 'MAXLEN', '~', maxlen) end
local function split(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return ms, tonumber(seq)
end
local function before(ams, aseq, bms, bseq)
  if #ams ~= #bms then return #ams < #bms end
  if ams ~= bms then return ams < bms end
  return aseq < bseq
end
local keepMs, keepSeq = nil, nil
for _, g in ipairs(groups) do
  local info = {}
  for i = 1, #g, 2 do info[g[i]] = g[i + 1] end
  local ms, seq
  if tonumber(info['pending']) > 0 then
    ms, seq = split(redis.call('XPENDING', key, info['name'])[2])
  else
    ms, seq = split(info['last-delivered-id'])
    seq = seq + 1
  end
  if keepMs == nil or before(ms, seq, keepMs, keepSeq) then keepMs, keepSeq = ms, seq end
end
local oldest = redis.call('XRANGE', key, '-', '+', 'COUNT', math.min(excess, 10000))
if #oldest == 0 then return 0 end
local cutMs, cutSeq = split(oldest[#oldest][1])
cutSeq = cutSeq + 1
local held = false
if before(keepMs, keepSeq, cutMs, cutSeq) then
  cutMs, cutSeq, held = keepMs, keepSeq, true
end
local removed = redis.call('XTRIM', key, 'MINID', cutMs .. '-' .. string.format('%d', cutSeq))
if held then return -1 - removed end
return removed
`;

/** Error replies that say "not now" rather than "not you": the connection is retried, not given up. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN)\b|max number of clients/;

function encodeBulk(text: string): string {
  return `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
}

function encodeCommand(args: readonly string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += encodeBulk(a);
  return s;
}
