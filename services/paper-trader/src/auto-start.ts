import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger, StrategyStore } from '@btc-research/platform';
import type { StrategyLifecycle } from './strategy-lifecycle.js';

/** True for a file name that holds a strategy config. */
export function isStrategyFile(fileName: string): boolean {
  return /\.ya?ml$/i.test(fileName);
}

/** Strategy id from a config file name: "Demo RSI.yaml" → "demo-rsi". */
export function strategyIdFromFile(fileName: string): string {
  return (
    path
      .basename(fileName)
      .replace(/\.ya?ml$/i, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63) || 'strategy'
  );
}

export interface AutoStartOptions {
  store: StrategyStore;
  lifecycle: StrategyLifecycle;
  logger: Logger;
  configDir: string;
  /** auto-started strategies trade from the start of the market history or from now */
  from: 'history' | 'now';
}

/**
 * Starts the strategies of config/ files: every file at start-up, and a file the config watcher
 * saw appear or change. A strategy that exists already is left alone, except one that failed on an
 * invalid config: it starts again once the file says something else (the user fixed it).
 */
export class AutoStart {
  constructor(private readonly options: AutoStartOptions) {}

  /** Every config file, in name order (a missing directory has none). */
  async startAll(): Promise<void> {
    const files = await fsp.readdir(this.options.configDir).catch(() => [] as string[]);
    for (const file of files.filter(isStrategyFile).sort()) await this.startFile(file);
  }

  /** A file the watcher reported, if it is still there. */
  async startFileIfPresent(file: string): Promise<void> {
    if (fs.existsSync(path.join(this.options.configDir, file))) await this.startFile(file);
  }

  async startFile(file: string): Promise<void> {
    const { store, lifecycle, logger, configDir } = this.options;
    const id = strategyIdFromFile(file);
    const existing = await store.getStrategy(id);
    if (existing && existing.status !== 'error') return;
    const text = await fsp.readFile(path.join(configDir, file), 'utf8');
    if (existing && existing.configYaml === text) return;
    logger.info({ strategyId: id, file }, 'auto-starting strategy from config/');
    await lifecycle.start({ id, configName: file, configYaml: text, from: this.options.from });
  }
}
