import type { NotificationEventV1 } from '@btc-research/contracts';
import { chatText } from './channel.js';
import { ChatWebhookChannel } from './chat-webhook-channel.js';

/** Slack-compatible incoming webhook (also Mattermost, Rocket.Chat): POST {"text": …}. */
export class SlackChannel extends ChatWebhookChannel {
  readonly name = 'slack' as const;

  protected body(event: NotificationEventV1): unknown {
    return { text: chatText(event) };
  }
}
