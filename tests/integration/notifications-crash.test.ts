import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationEventV1 } from '@btc-research/contracts';
import { PostgresStrategyStore, createStrategyStore, startReceiver, verifyWebhookSignature, waitFor, type ReceivedRequest } from '@btc-research/platform';
import { repoRoot } from '../helpers/service-process.js';

const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECRET = 'kill-9-secret';
const TOKEN = '4242:crash-bot';
const EVENTS = 10;
/** the receivers hold the answer to this event's request: the sender is killed while it waits */
const HELD = 'fill:s1-t5';

function event(n: number): NotificationEventV1 {
  return {
    id: `fill:s1-t${n}`,
    type: 'fill',
    time: 1_764_892_800_000 + n,
    strategyId: 's1',
    text: `paper bought 0.001 BTCUSDT at 67123.45 (#${n})`,
    data: { tradeId: `s1-t${n}`, orderId: `s1-o${n}`, symbol: 'BTCUSDT', side: 'buy', quantity: '0.001', price: '67123.45', fee: '0.06712345', realizedPnl: '0', reason: 'entry' },
  };
}

/** A receiver that acknowledges each request (records the event ids it answered 2xx) but holds the first request of HELD unanswered. */
async function holdingReceiver(idOf: (r: ReceivedRequest) => string, ok: (r: ReceivedRequest, res: ServerResponse) => void) {
  const acknowledged: string[] = [];
  const held: ServerResponse[] = [];
  const receiver = await startReceiver((r, res) => {
    const id = idOf(r);
    if (id === HELD && held.length === 0) {
      held.push(res);
      return;
    }
    acknowledged.push(id);
    ok(r, res);
  });
  return { receiver, acknowledged, held };
}

describe.each(['json', 'postgres'] as const)('notifications across a kill -9 of the sender mid-delivery: %s outbox', (backend) => {
  let dir: string;
  const schema = `notify_crash_${randomBytes(5).toString('hex')}`;
  let webhook: Awaited<ReturnType<typeof holdingReceiver>>;
  let telegram: Awaited<ReturnType<typeof holdingReceiver>>;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'btc-notify-crash-'));
    webhook = await holdingReceiver((r) => String(r.headers['x-btc-research-event-id']), (_r, res) => res.writeHead(204).end());
    telegram = await holdingReceiver(
      (r) => `fill:s1-t${/\(#(\d+)\)/.exec((r.json as { text: string }).text)?.[1] ?? '?'}`,
      (_r, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"result":{"message_id":1}}'),
    );
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await webhook.receiver.close();
    await telegram.receiver.close();
    if (backend === 'postgres') await PostgresStrategyStore.dropSchema(DATABASE_URL, schema);
    await fs.rm(dir, { recursive: true, force: true });
  });

  function startSender(): ChildProcess {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'tests', 'integration', 'support', 'notification-sender.ts')], {
      cwd: repoRoot,
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: process.env['HOME'] ?? '/tmp',
        DATA_DIR: dir,
        ...(backend === 'postgres' ? { DATABASE_URL, DATABASE_SCHEMA: schema } : {}),
        NOTIFY_WEBHOOK_URL: `${webhook.receiver.url}/hook`,
        NOTIFY_WEBHOOK_SECRET: SECRET,
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_CHAT_ID: '1',
        TELEGRAM_API_URL: telegram.receiver.url,
        NOTIFY_RATE_PER_MINUTE: '1000',
        CLAIM_LEASE_MS: '1500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => process.stderr.write(d));
    children.push(child);
    return child;
  }

  it('acknowledges every event exactly once per channel; only the request cut off by the kill is received again', async () => {
    const store = await createStrategyStore({ dataDir: dir, ...(backend === 'postgres' ? { databaseUrl: DATABASE_URL, databaseSchema: schema } : {}) });
    await store.outbox.enqueue(Array.from({ length: EVENTS }, (_, i) => ({ event: event(i + 1), channels: ['webhook', 'telegram'] as const })), Date.now());
    await store.close();

    const first = startSender();
    await waitFor(async () => webhook.held.length === 1 && telegram.held.length === 1, { what: 'both channels mid-delivery of the held event', timeoutMs: 20_000 });
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    // the dead sender's connections end without an answer
    for (const res of [...webhook.held, ...telegram.held]) res.destroy();

    const second = startSender();
    await waitFor(async () => webhook.acknowledged.length >= EVENTS && telegram.acknowledged.length >= EVENTS, { what: 'every event acknowledged after the restart', timeoutMs: 30_000 });
    // nothing more arrives
    await new Promise((resolve) => setTimeout(resolve, 500));
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));

    const ids = Array.from({ length: EVENTS }, (_, i) => `fill:s1-t${i + 1}`);
    expect([...webhook.acknowledged].sort()).toEqual([...ids].sort());
    expect([...telegram.acknowledged].sort()).toEqual([...ids].sort());
    // what was received more than once is exactly the request the kill cut off (same event id: a receiver drops it)
    const receivedIds = webhook.receiver.received.map((r) => String(r.headers['x-btc-research-event-id']));
    expect(receivedIds.filter((id) => id === HELD)).toHaveLength(2);
    expect(receivedIds).toHaveLength(EVENTS + 1);
    expect(telegram.receiver.received).toHaveLength(EVENTS + 1);
    expect(webhook.receiver.received.every((r) => verifyWebhookSignature(r, SECRET))).toBe(true);

    const after = await createStrategyStore({ dataDir: dir, ...(backend === 'postgres' ? { databaseUrl: DATABASE_URL, databaseSchema: schema } : {}) });
    const rows = await after.outbox.recent(100);
    await after.close();
    expect(rows).toHaveLength(2 * EVENTS);
    expect(rows.every((r) => r.status === 'delivered')).toBe(true);
    // the held event took a second attempt; the ones sent before the kill took one (rows claimed with it but not sent yet are claimed again)
    const attempts = new Map(rows.map((r) => [`${r.channel} ${r.eventId}`, r.attempts]));
    expect([attempts.get(`webhook ${HELD}`), attempts.get(`telegram ${HELD}`)]).toEqual([2, 2]);
    expect(ids.slice(0, 4).flatMap((id) => [attempts.get(`webhook ${id}`), attempts.get(`telegram ${id}`)])).toEqual(Array(8).fill(1));
  });
});
