import WebSocket from 'ws';

export interface WsConnectionOptions {
  url: string;
  id: number;
  /** client ping interval (ms); the pong (or any frame) proves the connection is alive */
  pingIntervalMs: number;
  /** no frame, ping or pong for this long → the connection is dead and is terminated */
  deadAfterMs: number;
  /** how long a connection attempt may take (ms) */
  connectTimeoutMs: number;
  now: () => number;
  onMessage(conn: WsConnection, text: string): void;
  onClose(conn: WsConnection, info: { code: number; reason: string; wasOpen: boolean; error: string | null }): void;
}

/**
 * One WebSocket to the exchange. Answers server pings (the ws library pongs automatically), pings
 * the server itself, and terminates the socket when nothing at all arrived for `deadAfterMs`
 * (a half-open TCP connection or a stalled server). Reports its end exactly once.
 */
export class WsConnection {
  readonly openedAt: number;
  lastActivityAt: number;
  firstMessageAt: number | null = null;
  messages = 0;
  private readonly ws: WebSocket;
  private timer: NodeJS.Timeout;
  private closedReported = false;
  private wasOpen = false;
  private lastError: string | null = null;

  constructor(private readonly o: WsConnectionOptions) {
    this.openedAt = o.now();
    this.lastActivityAt = this.openedAt;
    this.ws = new WebSocket(o.url, { handshakeTimeout: o.connectTimeoutMs, perMessageDeflate: false });
    this.ws.on('open', () => {
      this.wasOpen = true;
      this.lastActivityAt = o.now();
    });
    this.ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      this.lastActivityAt = o.now();
      if (this.firstMessageAt === null) this.firstMessageAt = this.lastActivityAt;
      this.messages += 1;
      const text = isBinary ? '<binary frame>' : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8');
      o.onMessage(this, text);
    });
    this.ws.on('ping', () => (this.lastActivityAt = o.now()));
    this.ws.on('pong', () => (this.lastActivityAt = o.now()));
    this.ws.on('error', (err: Error) => (this.lastError = err.message));
    this.ws.on('close', (code: number, reason: Buffer) => this.reportClose(code, reason.toString('utf8')));
    const checkEvery = Math.max(50, Math.min(o.pingIntervalMs, Math.floor(o.deadAfterMs / 3)));
    let lastPing = this.openedAt;
    this.timer = setInterval(() => {
      const now = o.now();
      if (now - this.lastActivityAt > o.deadAfterMs) {
        this.lastError = `no frame, ping or pong for ${now - this.lastActivityAt} ms`;
        this.terminate();
        return;
      }
      if (this.ws.readyState === WebSocket.OPEN && now - lastPing >= o.pingIntervalMs) {
        lastPing = now;
        this.ws.ping();
      }
    }, checkEvery);
    this.timer.unref();
  }

  get id(): number {
    return this.o.id;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  private reportClose(code: number, reason: string): void {
    clearInterval(this.timer);
    if (this.closedReported) return;
    this.closedReported = true;
    this.o.onClose(this, { code, reason, wasOpen: this.wasOpen, error: this.lastError });
  }

  /** Closes politely (rotation, shutdown). */
  close(): void {
    clearInterval(this.timer);
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close(1000, 'client closing');
    // a peer that never answers the close frame is cut after 2 s
    setTimeout(() => this.ws.terminate(), 2_000).unref();
  }

  /** Drops the socket at once (dead connection). */
  terminate(): void {
    clearInterval(this.timer);
    this.ws.terminate();
  }
}
