/**
 * Appends bus entries to Redis Streams through a pipeline: every XADD queued in one turn of the
 * event loop is written to the socket at once and its replies are read together, instead of one
 * write and one reply dispatch per message. Same command, fields and trimming as
 * RedisBus.appendRaw (`XADD <stream> MAXLEN ~ <n> * type <t> v <v> data <json>`); one connection,
 * so entries keep their order.
 */

interface Pipeline {
  xadd(...args: string[]): unknown;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}

/** The part of an ioredis connection used here (RedisBus.duplicateConnection() gives one). */
export interface PipelineConnection {
  pipeline(): Pipeline;
  quit(): Promise<unknown>;
}

interface Pending {
  args: string[];
  resolve: (id: string) => void;
  reject: (err: unknown) => void;
}

export class RedisPipelineWriter {
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  /** pipelines sent so far */
  batches = 0;

  constructor(
    private readonly redis: PipelineConnection,
    private readonly maxBatch = 1000,
  ) {}

  append(stream: string, fields: Readonly<Record<string, string>>, maxLen: number): Promise<string> {
    if (this.closed) return Promise.reject(new Error('pipeline writer is closed'));
    const args = [stream, 'MAXLEN', '~', String(Math.max(0, Math.floor(maxLen))), '*'];
    for (const k in fields) args.push(k, fields[k]!);
    return new Promise<string>((resolve, reject) => {
      this.queue.push({ args, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    const p = this.redis.pipeline();
    for (const e of batch) p.xadd(...e.args);
    this.batches += 1;
    p.exec().then(
      (results) => {
        for (let i = 0; i < batch.length; i++) {
          const r = results?.[i];
          if (r === undefined) batch[i]!.reject(new Error('no reply for XADD'));
          else if (r[0] !== null) batch[i]!.reject(r[0]);
          else batch[i]!.resolve(String(r[1]));
        }
      },
      (err: unknown) => {
        for (const e of batch) e.reject(err);
      },
    );
  }

  async close(): Promise<void> {
    this.flush();
    this.closed = true;
    await this.redis.quit().catch(() => undefined);
  }
}
