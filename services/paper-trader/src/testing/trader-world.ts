import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InProcessBus, JsonStrategyStore, createLogger, type MessageBus } from '@btc-research/platform';
import type { PaperTrader } from '../service.js';

/** What an embedded paper trader runs on in a test: a temp dir (strategies in `dir/config`), a bus and a JSON store in `dir/data`. */
export interface TraderWorld<Bus extends MessageBus = InProcessBus> {
  dir: string;
  bus: Bus;
  store: JsonStrategyStore;
}

/** A fresh world with an empty config folder; the bus is an in-process one unless given. */
export async function openTraderWorld(tmpPrefix: string): Promise<TraderWorld>;
export async function openTraderWorld<Bus extends MessageBus>(tmpPrefix: string, bus: Bus): Promise<TraderWorld<Bus>>;
export async function openTraderWorld(tmpPrefix: string, bus?: MessageBus): Promise<TraderWorld<MessageBus>> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), tmpPrefix));
  await fs.mkdir(path.join(dir, 'config'));
  return {
    dir,
    bus: bus ?? new InProcessBus({ logger: createLogger('bus', { level: 'silent' }), blockMs: 20 }),
    store: new JsonStrategyStore({ dataDir: path.join(dir, 'data') }),
  };
}

/** Stops the trader (when one was started), closes the bus and the store and removes the temp dir. */
export async function closeTraderWorld(world: TraderWorld<MessageBus>, trader: PaperTrader | null): Promise<void> {
  await trader?.close();
  await world.bus.close();
  await world.store.close();
  await fs.rm(world.dir, { recursive: true, force: true });
}
