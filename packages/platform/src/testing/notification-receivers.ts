import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a local receiver got. */
export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** the JSON body, parsed */
  json: unknown;
}

export type ReceiverReply = (request: ReceivedRequest, res: ServerResponse) => void;

export interface LocalReceiver {
  url: string;
  received: ReceivedRequest[];
  /** replace how the next requests are answered */
  reply: ReceiverReply;
  close(): Promise<void>;
}

/**
 * A local HTTP server standing in for a notification service (webhook receiver, Telegram Bot API,
 * Slack or Discord incoming webhook) in tests: records every POST and answers as `reply` says.
 */
export async function startReceiver(reply: ReceiverReply): Promise<LocalReceiver> {
  const receiver: LocalReceiver = { url: '', received: [], reply, close: async () => undefined };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = null;
      }
      const request = { path: req.url ?? '/', headers: req.headers, body, json };
      receiver.received.push(request);
      receiver.reply(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** Answers as the real services do on success. */
export const replies = {
  webhook: ((_r, res) => res.writeHead(204).end()) as ReceiverReply,
  telegram: ((r, res) => {
    const json = r.json as { chat_id?: unknown; text?: unknown } | null;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, result: { message_id: 1, chat: { id: json?.chat_id }, text: json?.text } }));
  }) as ReceiverReply,
  slack: ((_r, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')) as ReceiverReply,
  discord: ((_r, res) => res.writeHead(204).end()) as ReceiverReply,
};

/** What a webhook receiver does: recompute the signature over "<timestamp>.<body>" and compare in constant time. */
export function verifyWebhookSignature(request: ReceivedRequest, secret: string): boolean {
  const timestamp = request.headers['x-btc-research-timestamp'];
  const signature = request.headers['x-btc-research-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${request.body}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
