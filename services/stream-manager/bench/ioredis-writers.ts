/**
 * The two ways ioredis can carry the market-data appends, kept here (not in the product) as the
 * comparison `pnpm bench market-data` prints beside the writer the stream-manager uses
 * (platform's RespStreamWriter, which needs about a third of their CPU per append). Both send the
 * same command as the bus: XADD <stream> MAXLEN ~ <n> * type <t> v <v> data <envelope JSON>.
 */
import { encodeEnvelope, type Envelope } from '@btc-research/contracts';
import type { EnvelopeWriter } from '@btc-research/platform';
import { Redis } from 'ioredis';

function xaddArgs(stream: string, envelope: Envelope, maxLen: number): string[] {
  return [stream, 'MAXLEN', '~', String(Math.max(0, Math.floor(maxLen))), '*', 'type', envelope.type, 'v', String(envelope.v), 'data', encodeEnvelope(envelope)];
}

/** ioredis with enableAutoPipelining: commands of one event-loop turn share a pipeline. */
export function ioredisAutoPipelineWriter(redisUrl: string): EnvelopeWriter {
  const redis = new Redis(redisUrl, { enableAutoPipelining: true });
  return {
    append: async (stream, envelope, maxLen) => String(await redis.xadd(...(xaddArgs(stream, envelope, maxLen) as [string, ...string[]]))),
    close: async () => void (await redis.quit()),
  };
}

/** ioredis with an explicit pipeline per event-loop turn (the repo's former RedisPipelineWriter). */
export function ioredisPipelineWriter(redisUrl: string): EnvelopeWriter {
  const redis = new Redis(redisUrl);
  let batch: Array<{ args: string[]; resolve: (id: string) => void; reject: (err: unknown) => void }> = [];
  const flush = (): void => {
    const sending = batch;
    batch = [];
    const p = redis.pipeline();
    for (const e of sending) p.xadd(...(e.args as [string, ...string[]]));
    p.exec().then(
      (results) => sending.forEach((e, i) => {
        const r = results?.[i];
        if (r === undefined) e.reject(new Error('no reply for XADD'));
        else if (r[0] !== null) e.reject(r[0]);
        else e.resolve(String(r[1]));
      }),
      (err: unknown) => sending.forEach((e) => e.reject(err)),
    );
  };
  return {
    append: (stream, envelope, maxLen) =>
      new Promise<string>((resolve, reject) => {
        if (batch.length === 0) queueMicrotask(flush);
        batch.push({ args: xaddArgs(stream, envelope, maxLen), resolve, reject });
      }),
    close: async () => void (await redis.quit()),
  };
}
