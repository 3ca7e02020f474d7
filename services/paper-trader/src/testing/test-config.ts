import path from 'node:path';
import type { PaperTraderConfig } from '../config.js';

/** A paper-trader config for tests: everything under `dir`, short leases and snapshot intervals. */
export function testConfig(dir: string, overrides: Partial<PaperTraderConfig> = {}): PaperTraderConfig {
  return {
    configDir: path.join(dir, 'config'),
    dataDir: path.join(dir, 'data'),
    redisUrl: undefined,
    databaseUrl: undefined,
    databaseSchema: undefined,
    consumerName: 'pt-test',
    initialCash: '10000',
    autoStart: true,
    autoStartFrom: 'history',
    logLevel: 'silent',
    leaseTtlMs: 1_000,
    snapshotIntervalMs: 10,
    pollMs: 20,
    makerCommission: undefined,
    ...overrides,
  };
}
