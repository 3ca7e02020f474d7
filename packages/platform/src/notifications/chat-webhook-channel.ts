import type { NotificationChannelDto, NotificationEventV1 } from '@btc-research/contracts';
import { postJson, redactUrl, type NotificationChannel, type SendResult } from './channel.js';

/**
 * A chat service's incoming webhook: one unsigned POST of a JSON body per event. Each service
 * (Slack, Discord) says only its name and how it wraps the event's chat text.
 */
export abstract class ChatWebhookChannel implements NotificationChannel {
  abstract readonly name: NotificationChannelDto['name'];

  constructor(
    private readonly url: string,
    readonly ratePerMinute: number,
  ) {}

  /** The JSON body the service expects for one event. */
  protected abstract body(event: NotificationEventV1): unknown;

  describe(): NotificationChannelDto {
    return { name: this.name, target: redactUrl(this.url), signed: false, ratePerMinute: this.ratePerMinute };
  }

  async send(event: NotificationEventV1): Promise<SendResult> {
    const result = await postJson(this.url, JSON.stringify(this.body(event)));
    return result.ok ? { ok: true } : result;
  }
}
