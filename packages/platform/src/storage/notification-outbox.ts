import type { NotificationChannelName, NotificationDeliveryStatus, NotificationEventV1 } from '@btc-research/contracts';

/** One event × channel row of the notification outbox. */
export interface OutboxDelivery {
  eventId: string;
  channel: NotificationChannelName;
  event: NotificationEventV1;
  status: NotificationDeliveryStatus;
  /** delivery attempts started (a claim counts one, so an attempt cut short by a crash is counted) */
  attempts: number;
  lastError: string | null;
  createdAt: number;
  /** pending rows: not before this time (epoch ms); null once delivered or failed */
  nextAttemptAt: number | null;
  deliveredAt: number | null;
}

export interface OutboxEnqueue {
  event: NotificationEventV1;
  channels: readonly NotificationChannelName[];
}

export interface OutboxClaim {
  channel: NotificationChannelName;
  /** who sends (a worker name); only the claimant may settle the rows */
  owner: string;
  now: number;
  limit: number;
  /** the claim lapses after this long, so rows of a sender that died are sent again */
  leaseMs: number;
}

export type OutboxOutcome =
  | { status: 'delivered'; at: number }
  /** try again at retryAt */
  | { status: 'retry'; error: string; retryAt: number }
  /** give up: the channel refused it for good, or retries are exhausted */
  | { status: 'failed'; error: string };

/**
 * The notification outbox: trading appends rows (cheap, idempotent on event id × channel), a
 * separate dispatcher claims due rows, sends them and settles each. Rows survive a crash; a claim
 * that was not settled (the sender died mid-delivery) lapses after its lease and the row is sent
 * again, so delivery is at-least-once with the event id as the receiver's idempotency key, and a
 * row is settled delivered once.
 */
export interface NotificationOutbox {
  /** Adds one pending row per event × channel; a row already there (same event id and channel) is kept as it is. Returns rows added. */
  enqueue(items: readonly OutboxEnqueue[], now: number): Promise<number>;
  /** Claims up to `limit` due pending rows of one channel, oldest first, and counts an attempt on each. */
  claim(request: OutboxClaim): Promise<OutboxDelivery[]>;
  /** Settles a claimed row; ignored when the claim is no longer the owner's (it lapsed and was taken). */
  settle(eventId: string, channel: NotificationChannelName, owner: string, outcome: OutboxOutcome): Promise<void>;
  /** The newest rows first (created time), for display. */
  recent(limit: number): Promise<OutboxDelivery[]>;
  /**
   * Writes rows as a backup holds them (restore into an empty outbox): status, attempts and times
   * kept, no claim. A row that was being sent when the backup was taken is pending again and is
   * sent again, with its event id as the receiver's idempotency key (at-least-once, as after a crash).
   */
  importRows(rows: readonly OutboxDelivery[]): Promise<void>;
}
