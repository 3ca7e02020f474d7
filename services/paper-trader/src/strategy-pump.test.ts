import { describe, expect, it } from 'vitest';
import { StrategyPump } from './strategy-pump.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  return { promise, resolve };
}

/** A pump whose rounds wait for the test to let them finish. */
function controlledPump(shouldContinue: () => boolean = () => true) {
  const rounds: Array<ReturnType<typeof deferred>> = [];
  const failures: unknown[] = [];
  const pump = new StrategyPump({
    follow: () => {
      const round = deferred();
      rounds.push(round);
      return round.promise;
    },
    shouldContinue,
    onFailure: (err) => failures.push(err),
  });
  return { pump, rounds, failures };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('StrategyPump', () => {
  it('never runs two rounds at once; wakes during a round make exactly one more round', async () => {
    const { pump, rounds } = controlledPump();
    const idle = pump.wake();
    expect(pump.isIdle).toBe(false);
    void pump.wake();
    void pump.wake();
    await turn();
    expect(rounds).toHaveLength(1);
    rounds[0]!.resolve();
    await turn();
    expect(rounds).toHaveLength(2); // the wakes above, coalesced
    rounds[1]!.resolve();
    await idle;
    expect(rounds).toHaveLength(2);
    expect(pump.isIdle).toBe(true);
  });

  it('does not go round again once the strategy is no longer followed', async () => {
    let following = true;
    const { pump, rounds } = controlledPump(() => following);
    const idle = pump.wake();
    void pump.wake();
    following = false;
    rounds[0]!.resolve();
    await idle;
    expect(rounds).toHaveLength(1);
  });

  it('a hold keeps rounds from starting until released, so a write in flight is not overtaken', async () => {
    const { pump, rounds } = controlledPump();
    const hold = pump.hold();
    expect(pump.isIdle).toBe(false);
    const waited = pump.wake();
    let settled = false;
    void pump.settled().then(() => (settled = true));
    await turn();
    expect(rounds).toHaveLength(0);
    expect(settled).toBe(false);
    hold.release();
    await waited;
    await turn();
    expect(settled).toBe(true);
    expect(pump.isIdle).toBe(true);
    void pump.wake();
    expect(rounds).toHaveLength(1);
    rounds[0]!.resolve();
    await pump.settled();
  });

  it('hands a failed round to onFailure and stays usable', async () => {
    const failures: unknown[] = [];
    let calls = 0;
    const pump = new StrategyPump({
      follow: async () => {
        calls += 1;
        if (calls === 1) throw new Error('write failed');
      },
      shouldContinue: () => true,
      onFailure: (err) => failures.push(err),
    });
    await pump.wake();
    expect(failures).toEqual([new Error('write failed')]);
    expect(pump.isIdle).toBe(true);
    await pump.wake();
    expect(calls).toBe(2);
    expect(failures).toHaveLength(1);
  });
});
