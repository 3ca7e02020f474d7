import type { NotificationEventV1 } from '@btc-research/contracts';
import { chatText } from './channel.js';
import { ChatWebhookChannel } from './chat-webhook-channel.js';

/** Discord-compatible incoming webhook: POST {"content": …} (at most 2000 characters). */
export class DiscordChannel extends ChatWebhookChannel {
  readonly name = 'discord' as const;

  protected body(event: NotificationEventV1): unknown {
    return { content: chatText(event).slice(0, 2000), allowed_mentions: { parse: [] } };
  }
}
