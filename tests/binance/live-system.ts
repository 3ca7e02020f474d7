import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FakeBinanceServer } from '@btc-research/binance/testing';
import { InProcessBus, JsonStrategyStore, createLogger } from '@btc-research/platform';
import { afterEach, beforeEach } from 'vitest';
import type { PaperTrader } from '../../services/paper-trader/src/service.js';
import type { StreamManager } from '../../services/stream-manager/src/service.js';

/**
 * One test's embedded system: a fresh directory (with `config/`), an in-process bus, a JSON store,
 * and what the test starts on them — a paper-trader, a stream-manager, a local Binance server. The
 * file's hooks open it before each test and close it after, newest part first.
 */
export class LiveSystem {
  readonly logger = createLogger('test', { level: 'silent' });
  dir = '';
  bus!: InProcessBus;
  store!: JsonStrategyStore;
  trader: PaperTrader | null = null;
  sm: StreamManager | null = null;
  server: FakeBinanceServer | null = null;

  /** registers the hooks; `prefix` names the test's temporary directory */
  static perTest(prefix: string): LiveSystem {
    const system = new LiveSystem();
    beforeEach(() => system.open(prefix));
    afterEach(() => system.close());
    return system;
  }

  private async open(prefix: string): Promise<void> {
    this.dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
    await fs.mkdir(path.join(this.dir, 'config'));
    this.bus = new InProcessBus({ logger: this.logger, blockMs: 20 });
    this.store = new JsonStrategyStore({ dataDir: path.join(this.dir, 'data') });
  }

  private async close(): Promise<void> {
    await this.sm?.close();
    await this.trader?.close();
    await this.server?.close();
    this.sm = null;
    this.trader = null;
    this.server = null;
    await this.bus.close();
    await this.store.close();
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
