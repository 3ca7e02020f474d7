import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NotificationEventV1 } from '@btc-research/contracts';
import { describe, expect, it } from 'vitest';
import { JsonNotificationOutbox } from './json-notification-outbox.js';

function errored(n: number): NotificationEventV1 {
  return { id: `e${String(n).padStart(5, '0')}`, type: 'strategy.errored', time: n, strategyId: 's1', text: 'boom', data: { error: 'boom' } };
}

describe('JSON outbox file', () => {
  it('stays bounded while the process runs: the oldest settled rows are dropped, pending ones kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'btc-outbox-compact-'));
    try {
      const path = join(dir, 'outbox.jsonl');
      const box = new JsonNotificationOutbox(path, { keepSettled: 50, compactSlack: 100 });
      const total = 300;
      for (let chunk = 0; chunk < 3; chunk += 1) await box.enqueue(Array.from({ length: 100 }, (_, i) => ({ event: errored(chunk * 100 + i), channels: ['slack'] as const })), 1_000 + chunk);
      for (let settled = 0; settled < total - 1; settled += 50) {
        const claimed = await box.claim({ channel: 'slack', owner: 'o', now: 2_000, limit: Math.min(50, total - 1 - settled), leaseMs: 10 });
        for (const r of claimed) await box.settle(r.eventId, 'slack', 'o', { status: 'delivered', at: 3_000 });
      }
      const lines = (await readFile(path, 'utf8')).trim().split('\n').length;
      expect(lines).toBeLessThan(2 * total);
      const reopened = new JsonNotificationOutbox(path, { keepSettled: 50, compactSlack: 100 });
      const rows = await reopened.recent(10_000);
      expect(rows.filter((r) => r.status === 'pending').map((r) => r.eventId)).toEqual(['e00299']);
      expect(rows.length).toBeLessThanOrEqual(1 + 50 + 100);
      expect(rows.find((r) => r.eventId === 'e00298')).toMatchObject({ status: 'delivered', attempts: 1 });
      expect(rows.find((r) => r.eventId === 'e00000')).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
