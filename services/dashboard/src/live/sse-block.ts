import { FEED_SNAPSHOT_EVENT, FeedStatusResponse, LiveEventMessage, MessageType } from '@btc-research/contracts';
import { contractIssues } from '../api/contract-issues.js';
import { checkedEvent, type CheckedEvent } from './live-event.js';

/** The `event:` name and joined `data:` lines of one SSE block; null for comments and heartbeats. */
function fieldsOf(block: string): { event: string; data: string } | null {
  let event = '';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length === 0 ? null : { event, data: data.join('\n') };
}

/**
 * Reads one block of the API's event stream (GET /api/v1/events): the feed snapshot it sends first
 * (a FeedStatusResponse) or a LiveEventMessage whose payload matches its message type's schema.
 * Null for comments, heartbeats and a snapshot without a feed status yet.
 */
export function readSseBlock(block: string): CheckedEvent | null {
  const fields = fieldsOf(block);
  if (fields === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(fields.data);
  } catch {
    return { issue: `event data is not JSON: ${fields.data.slice(0, 80)}` };
  }
  if (fields.event === FEED_SNAPSHOT_EVENT) {
    const snapshot = FeedStatusResponse.safeParse(json);
    if (!snapshot.success) return { issue: `${FEED_SNAPSHOT_EVENT}: ${contractIssues(snapshot.error).join('; ')}` };
    return snapshot.data.status === null ? null : { event: { type: MessageType.feedStatus, payload: snapshot.data.status } };
  }
  const message = LiveEventMessage.safeParse(json);
  if (!message.success) return { issue: `event outside its contract: ${contractIssues(message.error).join('; ')}` };
  return checkedEvent(message.data.type, message.data.payload, message.data.tsEvent);
}
