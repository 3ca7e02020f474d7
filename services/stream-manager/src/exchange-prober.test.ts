import { createLogger } from '@btc-research/platform';
import { describe, expect, it } from 'vitest';
import { startExchangeProber, type ProbeResult } from './exchange-prober.js';

const logger = createLogger('t', { level: 'silent' });
const waitUntil = async (cond: () => boolean) => {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('exchange prober', () => {
  it('probes with growing delays until the exchange answers, then hands over once', async () => {
    const answers: ProbeResult[] = [{ ok: false, reason: 'HTTP 500' }, { ok: false, reason: 'ECONNREFUSED' }, { ok: true }];
    const at: number[] = [];
    let handedOver = 0;
    const p = startExchangeProber({ what: 'x', logger, backoff: { baseMs: 10, maxMs: 80, random: () => 1 }, probe: async () => (at.push(Date.now()), answers.shift() ?? { ok: true }), onAnswer: async () => void handedOver++ });
    await waitUntil(() => handedOver > 0);
    expect(at).toHaveLength(3);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(at[1]! - at[0]!); // backoff grows
    expect(p.failures).toBe(3);
    expect(p.lastReason).toBe('ECONNREFUSED');
    await new Promise((r) => setTimeout(r, 100));
    expect(handedOver).toBe(1);
    expect(p.nextProbeAt).toBeNull();
  });

  it('probes again when the hand-over fails, and not at all once stopped', async () => {
    let probes = 0;
    let handOvers = 0;
    const p = startExchangeProber({ what: 'x', logger, backoff: { baseMs: 5, maxMs: 10 }, probe: async () => (probes++, { ok: true }), onAnswer: async () => { if (++handOvers === 1) throw new Error('start failed'); } });
    await waitUntil(() => handOvers >= 2);
    expect(handOvers).toBe(2);
    await p.stop();
    const after = probes;
    await new Promise((r) => setTimeout(r, 50));
    expect(probes).toBe(after);
  });
});
