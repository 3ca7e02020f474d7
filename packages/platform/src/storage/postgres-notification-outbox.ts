import type pg from 'pg';
import { NotificationEventV1, type NotificationChannelName } from '@btc-research/contracts';
import type { NotificationOutbox, OutboxClaim, OutboxDelivery, OutboxEnqueue, OutboxOutcome } from './notification-outbox.js';
import { parseStored } from './validate.js';

const MS = (column: string): string => `(extract(epoch from ${column}) * 1000)::bigint::text`;
const TS = (param: string): string => `to_timestamp(${param}::bigint / 1000.0)`;
const COLUMNS = `event_id, channel, event, status, attempts, last_error, ${MS('created_at')} AS created_ms, ${MS('next_attempt_at')} AS next_ms, ${MS('delivered_at')} AS delivered_ms`;

/**
 * The outbox of the PostgreSQL store (table notification_outbox). Several dispatchers may run:
 * a claim takes due rows with FOR UPDATE SKIP LOCKED and stamps them with its owner and lease, so
 * two senders never hold the same row.
 */
export class PostgresNotificationOutbox implements NotificationOutbox {
  constructor(private readonly db: Pick<pg.Pool, 'query'>) {}

  async enqueue(items: readonly OutboxEnqueue[], now: number): Promise<number> {
    const ids: string[] = [];
    const channels: string[] = [];
    const events: string[] = [];
    for (const { event, channels: to } of items) {
      for (const channel of to) {
        ids.push(event.id);
        channels.push(channel);
        events.push(JSON.stringify(event));
      }
    }
    if (ids.length === 0) return 0;
    const { rowCount } = await this.db.query(
      `INSERT INTO notification_outbox (event_id, channel, event, created_at, next_attempt_at)
       SELECT e.id, e.channel, e.event::jsonb, ${TS('$4')}, ${TS('$4')} FROM unnest($1::text[], $2::text[], $3::text[]) AS e(id, channel, event)
       ON CONFLICT (event_id, channel) DO NOTHING`,
      [ids, channels, events, now],
    );
    return rowCount ?? 0;
  }

  async claim(request: OutboxClaim): Promise<OutboxDelivery[]> {
    const { rows } = await this.db.query(
      `UPDATE notification_outbox o SET claimed_by = $2, claimed_until = ${TS('$3')} + $5::bigint * interval '1 millisecond', attempts = o.attempts + 1
       FROM (SELECT event_id, channel FROM notification_outbox
             WHERE channel = $1 AND status = 'pending' AND next_attempt_at <= ${TS('$3')} AND (claimed_until IS NULL OR claimed_until < ${TS('$3')})
             ORDER BY created_at, event_id LIMIT $4 FOR UPDATE SKIP LOCKED) due
       WHERE o.event_id = due.event_id AND o.channel = due.channel
       RETURNING o.event_id, o.channel, o.event, o.status, o.attempts, o.last_error, ${MS('o.created_at')} AS created_ms, ${MS('o.next_attempt_at')} AS next_ms, ${MS('o.delivered_at')} AS delivered_ms`,
      [request.channel, request.owner, request.now, request.limit, Math.max(1, Math.floor(request.leaseMs))],
    );
    return rows.map(toDelivery).sort((a, b) => a.createdAt - b.createdAt || (a.eventId < b.eventId ? -1 : 1));
  }

  async settle(eventId: string, channel: NotificationChannelName, owner: string, outcome: OutboxOutcome): Promise<void> {
    const where = `WHERE event_id = $1 AND channel = $2 AND claimed_by = $3 AND status = 'pending'`;
    if (outcome.status === 'delivered') {
      await this.db.query(`UPDATE notification_outbox SET status = 'delivered', delivered_at = ${TS('$4')}, next_attempt_at = NULL, last_error = NULL, claimed_by = NULL, claimed_until = NULL ${where}`, [eventId, channel, owner, outcome.at]);
    } else if (outcome.status === 'retry') {
      await this.db.query(`UPDATE notification_outbox SET next_attempt_at = ${TS('$4')}, last_error = $5, claimed_by = NULL, claimed_until = NULL ${where}`, [eventId, channel, owner, outcome.retryAt, outcome.error]);
    } else {
      await this.db.query(`UPDATE notification_outbox SET status = 'failed', next_attempt_at = NULL, last_error = $4, claimed_by = NULL, claimed_until = NULL ${where}`, [eventId, channel, owner, outcome.error]);
    }
  }

  async importRows(rows: readonly OutboxDelivery[]): Promise<void> {
    if (rows.length === 0) return;
    const column = <T>(pick: (r: OutboxDelivery) => T): T[] => rows.map(pick);
    await this.db.query(
      `INSERT INTO notification_outbox (event_id, channel, event, status, attempts, last_error, created_at, next_attempt_at, delivered_at)
       SELECT r.id, r.channel, r.event::jsonb, r.status, r.attempts, r.last_error, ${TS('r.created')}, ${TS('r.next')}, ${TS('r.delivered')}
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[])
         AS r(id, channel, event, status, attempts, last_error, created, next, delivered)
       ON CONFLICT (event_id, channel) DO NOTHING`,
      [
        column((r) => r.eventId),
        column((r) => r.channel),
        column((r) => JSON.stringify(r.event)),
        column((r) => r.status),
        column((r) => r.attempts),
        column((r) => r.lastError),
        column((r) => r.createdAt),
        column((r) => r.nextAttemptAt),
        column((r) => r.deliveredAt),
      ],
    );
  }

  async recent(limit: number): Promise<OutboxDelivery[]> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM notification_outbox ORDER BY created_at DESC, event_id DESC, channel DESC LIMIT $1`, [limit]);
    return rows.map(toDelivery);
  }
}

function toDelivery(r: Record<string, unknown>): OutboxDelivery {
  const opt = (k: string): number | null => (r[k] === null || r[k] === undefined ? null : Number(r[k]));
  return {
    eventId: String(r['event_id']),
    channel: String(r['channel']) as NotificationChannelName,
    event: parseStored(NotificationEventV1, r['event'], `notification_outbox ${String(r['event_id'])}`),
    status: String(r['status']) as OutboxDelivery['status'],
    attempts: Number(r['attempts']),
    lastError: r['last_error'] === null ? null : String(r['last_error']),
    createdAt: Number(r['created_ms']),
    nextAttemptAt: opt('next_ms'),
    deliveredAt: opt('delivered_ms'),
  };
}
