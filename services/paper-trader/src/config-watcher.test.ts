import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '@btc-research/platform';
import { ConfigWatcher } from './config-watcher.js';
import { recordingLogger } from './testing/recording-logger.js';

const SETTLE_MS = 300;

describe('ConfigWatcher (a real directory, real fs.watch)', () => {
  let dir: string;
  const watchers: ConfigWatcher[] = [];

  /** A started watcher and the file names it reported, in order. */
  const watch = (settleMs = SETTLE_MS, logger = recordingLogger().logger) => {
    const reported: string[] = [];
    const watcher = new ConfigWatcher({ dir, settleMs, logger, onSettled: (name) => reported.push(name) });
    watcher.start();
    watchers.push(watcher);
    return { watcher, reported };
  };

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pt-config-watch-'));
  });

  afterEach(async () => {
    for (const w of watchers.splice(0)) w.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reports a strategy file once, after the writes to it have settled; other files are ignored', async () => {
    const { reported } = watch();
    // a file written in several steps, as an editor or a copy does
    await fs.writeFile(path.join(dir, 'grid.yaml'), 'name: ');
    await fs.appendFile(path.join(dir, 'grid.yaml'), '"Grid"\n');
    await fs.appendFile(path.join(dir, 'grid.yaml'), 'timeframe: 1m\n');
    await fs.writeFile(path.join(dir, 'notes.txt'), 'not a strategy');
    await waitFor(async () => reported.length > 0, { what: 'grid.yaml reported' });
    expect(reported).toEqual(['grid.yaml']);
    // a later file is reported after the earlier one's timer had every chance to fire again
    await fs.writeFile(path.join(dir, 'Later.YML'), 'name: "Later"\n');
    await waitFor(async () => reported.length > 1, { what: 'Later.YML reported' });
    expect(reported).toEqual(['grid.yaml', 'Later.YML']);
  });

  it('reports nothing once closed, not even a file whose settle time was still running', async () => {
    // a long settle time, so the test sees the file settling however slow the machine is
    const closed = watch(1_000);
    const open = watch(1_000); // gets the same events: it says when the closed one would have reported
    await fs.writeFile(path.join(dir, 'pending.yaml'), 'name: "Pending"\n');
    // the event has arrived and the file is settling (the watcher's own timer, read for the test)
    const settling = (closed.watcher as unknown as { settling: Map<string, unknown> }).settling;
    await waitFor(async () => settling.has('pending.yaml'), { intervalMs: 5, what: 'pending.yaml settling' });
    closed.watcher.close();
    await fs.writeFile(path.join(dir, 'after-close.yaml'), 'name: "After"\n');
    await waitFor(async () => open.reported.includes('pending.yaml') && open.reported.includes('after-close.yaml'), { what: 'the open watcher reported both' });
    // one settle time later still nothing: the closed watcher's timer was cleared, not just late
    await fs.writeFile(path.join(dir, 'marker.yaml'), 'name: "Marker"\n');
    await waitFor(async () => open.reported.includes('marker.yaml'), { what: 'marker reported' });
    expect(closed.reported).toEqual([]);
  });

  it('logs a directory it cannot watch and keeps going', async () => {
    const { logger, lines } = recordingLogger();
    const watcher = new ConfigWatcher({ dir: path.join(dir, 'missing'), settleMs: SETTLE_MS, logger, onSettled: () => undefined });
    expect(() => watcher.start()).not.toThrow();
    watchers.push(watcher);
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', msg: 'cannot watch config/ for new strategies' })]);
  });
});
