import { createHmac } from 'node:crypto';
import type { NotificationChannelDto, NotificationEventV1 } from '@btc-research/contracts';
import { postJson, redactUrl, type NotificationChannel, type SendResult } from './channel.js';

export interface WebhookChannelOptions {
  url: string;
  /** HMAC-SHA256 key of the signature */
  secret: string;
  ratePerMinute: number;
  now?: () => number;
}

export const TIMESTAMP_HEADER = 'X-Btc-Research-Timestamp';
export const SIGNATURE_HEADER = 'X-Btc-Research-Signature';
/** the event's id: a receiver drops a redelivery of an id it has already handled */
export const EVENT_ID_HEADER = 'X-Btc-Research-Event-Id';

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`: what a receiver recomputes to verify a request. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * Generic webhook: the event as a JSON POST body, signed. The timestamp (epoch ms) is inside the
 * signed text, so a receiver can refuse old requests (replays).
 */
export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhook' as const;
  readonly ratePerMinute: number;

  constructor(private readonly options: WebhookChannelOptions) {
    this.ratePerMinute = options.ratePerMinute;
  }

  describe(): NotificationChannelDto {
    return { name: this.name, target: redactUrl(this.options.url), signed: true, ratePerMinute: this.ratePerMinute };
  }

  async send(event: NotificationEventV1): Promise<SendResult> {
    const body = JSON.stringify(event);
    const timestamp = String((this.options.now ?? Date.now)());
    const result = await postJson(this.options.url, body, {
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: webhookSignature(this.options.secret, timestamp, body),
      [EVENT_ID_HEADER]: event.id,
    });
    return result.ok ? { ok: true } : result;
  }
}
