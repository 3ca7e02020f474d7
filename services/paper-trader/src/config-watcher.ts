import fs from 'node:fs';
import type { Logger } from '@btc-research/platform';
import { isStrategyFile } from './auto-start.js';

export interface ConfigWatcherOptions {
  dir: string;
  /** how long a file must stay unchanged before it is reported */
  settleMs: number;
  /** a strategy file appeared or changed, and has been quiet for settleMs */
  onSettled: (fileName: string) => void;
  logger: Logger;
}

/**
 * Watches the config directory for strategy files. A file being written fires several events, the
 * first often before its content is there: each file is reported once it has been quiet for a moment.
 */
export class ConfigWatcher {
  private watcher: fs.FSWatcher | null = null;
  private readonly settling = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: ConfigWatcherOptions) {}

  /** Starts watching; a directory that cannot be watched is logged, and nothing is reported. */
  start(): void {
    try {
      this.watcher = fs.watch(this.options.dir, (_event, name) => this.onChange(name));
      this.watcher.on('error', (err) => this.options.logger.warn({ err, dir: this.options.dir }, 'watching config/ failed; new strategy files are no longer picked up'));
    } catch (err) {
      this.options.logger.warn({ err, dir: this.options.dir }, 'cannot watch config/ for new strategies');
    }
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    for (const timer of this.settling.values()) clearTimeout(timer);
    this.settling.clear();
  }

  private onChange(name: string | null): void {
    if (this.closed || name === null || !isStrategyFile(name)) return;
    clearTimeout(this.settling.get(name));
    this.settling.set(
      name,
      setTimeout(() => {
        this.settling.delete(name);
        if (!this.closed) this.options.onSettled(name);
      }, this.options.settleMs),
    );
  }
}
