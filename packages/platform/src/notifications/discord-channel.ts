import type { NotificationChannelDto, NotificationEventV1 } from '@btc-research/contracts';
import { chatText, postJson, redactUrl, type NotificationChannel, type SendResult } from './channel.js';

/** Discord-compatible incoming webhook: POST {"content": …} (at most 2000 characters). */
export class DiscordChannel implements NotificationChannel {
  readonly name = 'discord' as const;

  constructor(
    private readonly url: string,
    readonly ratePerMinute: number,
  ) {}

  describe(): NotificationChannelDto {
    return { name: this.name, target: redactUrl(this.url), signed: false, ratePerMinute: this.ratePerMinute };
  }

  async send(event: NotificationEventV1): Promise<SendResult> {
    const result = await postJson(this.url, JSON.stringify({ content: chatText(event).slice(0, 2000), allowed_mentions: { parse: [] } }));
    return result.ok ? { ok: true } : result;
  }
}
