import net from 'node:net';

/**
 * A minimal Redis connection that only appends to streams, for the market-data hot path: commands
 * are encoded straight into RESP text and every command queued in one turn of the event loop goes
 * out in one socket write; replies are matched in order. It sends exactly what RedisBus.appendRaw
 * sends (`XADD <stream> MAXLEN ~ <n> * type <t> v <v> data <json>`). Any connection error fails the
 * pending appends and marks the writer broken; the publisher then falls back to the bus.
 */
export class RespStreamWriter {
  private readonly socket: net.Socket;
  private out = '';
  private scheduled = false;
  private readonly pending: Array<{ resolve: (v: string) => void; reject: (e: Error) => void } | null> = [];
  private head = 0;
  private inbuf = '';
  private brokenReason: string | null = null;
  writes = 0;

  constructor(redisUrl: string) {
    const u = new URL(redisUrl);
    this.socket = net.createConnection({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    this.socket.setNoDelay(true);
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => this.onData(chunk));
    this.socket.on('error', (err) => this.fail(err.message));
    this.socket.on('close', () => this.fail('connection closed'));
    const password = decodeURIComponent(u.password);
    const user = decodeURIComponent(u.username);
    if (password !== '') this.command(user !== '' ? ['AUTH', user, password] : ['AUTH', password]).catch(() => undefined);
    const db = u.pathname.replace(/^\//, '');
    if (db !== '' && db !== '0') this.command(['SELECT', db]).catch(() => undefined);
  }

  get broken(): boolean {
    return this.brokenReason !== null;
  }

  append(stream: string, fields: Readonly<Record<string, string>>, maxLen: number): Promise<string> {
    const args = [stream, 'MAXLEN', '~', String(Math.max(0, Math.floor(maxLen))), '*'];
    for (const k in fields) args.push(k, fields[k]!);
    return this.command(['XADD', ...args]);
  }

  private command(args: string[]): Promise<string> {
    if (this.brokenReason !== null) return Promise.reject(new Error(`stream writer: ${this.brokenReason}`));
    let s = `*${args.length}\r\n`;
    for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
    this.out += s;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flush);
    }
    return new Promise<string>((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.out === '' || this.brokenReason !== null) return;
    this.socket.write(this.out);
    this.out = '';
    this.writes += 1;
  };

  private settle(value: string | Error): void {
    const p = this.pending[this.head];
    this.pending[this.head] = null;
    this.head += 1;
    if (this.head > 4096 && this.head * 2 > this.pending.length) {
      this.pending.splice(0, this.head);
      this.head = 0;
    }
    if (!p) return;
    if (value instanceof Error) p.reject(value);
    else p.resolve(value);
  }

  /** Replies to XADD/AUTH/SELECT: bulk strings ($n), simple strings (+), errors (-), integers (:). */
  private onData(chunk: string): void {
    this.inbuf = this.inbuf === '' ? chunk : this.inbuf + chunk;
    let i = 0;
    const buf = this.inbuf;
    for (;;) {
      const eol = buf.indexOf('\r\n', i);
      if (eol < 0) break;
      const type = buf.charCodeAt(i);
      if (type === 36 /* $ */) {
        const n = Number(buf.slice(i + 1, eol));
        if (n < 0) {
          this.settle('');
          i = eol + 2;
          continue;
        }
        if (buf.length < eol + 2 + n + 2) break; // ids are ASCII: chars = bytes
        this.settle(buf.slice(eol + 2, eol + 2 + n));
        i = eol + 2 + n + 2;
      } else if (type === 45 /* - */) {
        this.settle(new Error(buf.slice(i + 1, eol)));
        i = eol + 2;
      } else {
        this.settle(buf.slice(i + 1, eol));
        i = eol + 2;
      }
    }
    this.inbuf = i >= buf.length ? '' : buf.slice(i);
  }

  private fail(reason: string): void {
    if (this.brokenReason !== null) return;
    this.brokenReason = reason;
    const err = new Error(`stream writer: ${reason}`);
    while (this.head < this.pending.length) this.settle(err);
  }

  async close(): Promise<void> {
    this.flush();
    // wait for the replies already sent for, then end
    const last = this.pending.length > this.head ? new Promise<void>((r) => {
      const check = setInterval(() => {
        if (this.head >= this.pending.length || this.brokenReason !== null) {
          clearInterval(check);
          r();
        }
      }, 5);
    }) : Promise.resolve();
    await Promise.race([last, new Promise((r) => setTimeout(r, 2_000).unref())]);
    this.brokenReason ??= 'closed';
    this.socket.end();
  }
}
