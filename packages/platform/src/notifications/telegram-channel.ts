import type { NotificationChannelDto, NotificationEventV1 } from '@btc-research/contracts';
import { chatText, postJson, type NotificationChannel, type SendResult } from './channel.js';

export const DEFAULT_TELEGRAM_API_URL = 'https://api.telegram.org';

export interface TelegramChannelOptions {
  /** Bot API base URL (TELEGRAM_API_URL), default https://api.telegram.org */
  apiUrl: string;
  botToken: string;
  chatId: string;
  ratePerMinute: number;
}

/** Telegram Bot API `sendMessage` (https://core.telegram.org/bots/api#sendmessage). */
export class TelegramChannel implements NotificationChannel {
  readonly name = 'telegram' as const;
  readonly ratePerMinute: number;

  constructor(private readonly options: TelegramChannelOptions) {
    this.ratePerMinute = options.ratePerMinute;
  }

  describe(): NotificationChannelDto {
    return { name: this.name, target: `${this.options.apiUrl.replace(/\/+$/, '')}/bot***/sendMessage (chat ${this.options.chatId})`, signed: false, ratePerMinute: this.ratePerMinute };
  }

  async send(event: NotificationEventV1): Promise<SendResult> {
    const url = `${this.options.apiUrl.replace(/\/+$/, '')}/bot${this.options.botToken}/sendMessage`;
    const result = await postJson(url, JSON.stringify({ chat_id: this.options.chatId, text: chatText(event).slice(0, 4096), disable_web_page_preview: true }));
    if (!result.ok) return { ...result, error: result.error.replaceAll(this.options.botToken, '***') };
    // the Bot API answers {"ok":true,"result":…}; anything else is not a delivery
    try {
      const answer = JSON.parse(result.responseText ?? '') as { ok?: unknown; description?: unknown };
      if (answer.ok === true) return { ok: true };
      return { ok: false, retryable: false, error: `Telegram refused: ${String(answer.description ?? 'no description')}` };
    } catch {
      return { ok: false, retryable: true, error: 'Telegram answered 2xx without a JSON body' };
    }
  }
}
