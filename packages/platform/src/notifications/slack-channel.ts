import type { NotificationChannelDto, NotificationEventV1 } from '@btc-research/contracts';
import { chatText, postJson, redactUrl, type NotificationChannel, type SendResult } from './channel.js';

/** Slack-compatible incoming webhook (also Mattermost, Rocket.Chat): POST {"text": …}. */
export class SlackChannel implements NotificationChannel {
  readonly name = 'slack' as const;

  constructor(
    private readonly url: string,
    readonly ratePerMinute: number,
  ) {}

  describe(): NotificationChannelDto {
    return { name: this.name, target: redactUrl(this.url), signed: false, ratePerMinute: this.ratePerMinute };
  }

  async send(event: NotificationEventV1): Promise<SendResult> {
    const result = await postJson(this.url, JSON.stringify({ text: chatText(event) }));
    return result.ok ? { ok: true } : result;
  }
}
