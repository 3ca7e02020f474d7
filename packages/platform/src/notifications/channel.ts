import type { NotificationChannelDto, NotificationChannelName, NotificationEventV1 } from '@btc-research/contracts';

/** What one send attempt came to. */
export type SendResult =
  | { ok: true }
  /** retryable: 429, 5xx, network errors and timeouts; retryAfterMs when the service said how long to wait */
  | { ok: false; retryable: boolean; error: string; retryAfterMs?: number };

/** A place notifications go (one file per kind: webhook, Telegram, Slack, Discord). */
export interface NotificationChannel {
  readonly name: NotificationChannelName;
  /** at most this many sends per minute */
  readonly ratePerMinute: number;
  /** what the API shows: the destination with secrets redacted */
  describe(): NotificationChannelDto;
  send(event: NotificationEventV1): Promise<SendResult>;
}

/** no send waits longer than this for an answer */
export const SEND_TIMEOUT_MS = 10_000;

/** POSTs a JSON body and classifies the answer: 2xx delivered; 429 and 5xx retry (honouring Retry-After); other 4xx fail for good. */
export async function postJson(url: string, body: string, headers: Record<string, string> = {}, timeoutMs = SEND_TIMEOUT_MS): Promise<SendResult & { responseText?: string }> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    return { ok: false, retryable: true, error: `request failed: ${cause}` };
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return { ok: true, responseText: text };
  const error = `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  if (response.status === 429 || response.status >= 500) {
    const retryAfterMs = retryAfter(response.headers.get('retry-after'), text);
    return { ok: false, retryable: true, error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  return { ok: false, retryable: false, error };
}

/** Retry-After header (seconds), or a JSON body's retry_after (Discord: seconds; Telegram: parameters.retry_after). */
function retryAfter(header: string | null, body: string): number | undefined {
  const seconds = Number(header);
  if (header !== null && Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  try {
    const json = JSON.parse(body) as { retry_after?: unknown; parameters?: { retry_after?: unknown } };
    const value = json.retry_after ?? json.parameters?.retry_after;
    if (typeof value === 'number' && value >= 0) return Math.ceil(value * 1000);
  } catch {
    // not JSON: no hint
  }
  return undefined;
}

/** "https://hooks.example.com/services/T0/B0/secret" → "https://hooks.example.com/***" (paths of incoming webhooks are secrets). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : '/***'}`;
  } catch {
    return '***';
  }
}

/** The event as one chat line: what happened, for which strategy. */
export function chatText(event: NotificationEventV1): string {
  const who = event.strategyId === null ? 'btc-research' : event.strategyId;
  return `[${who}] ${event.text}`;
}
