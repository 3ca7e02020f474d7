import type { Logger } from '@btc-research/platform';

/**
 * Counts malformed or unexpected input by kind and logs each kind once, with a sample, so a
 * flood of bad frames cannot flood the log. The frame is dropped by the caller; nothing throws.
 */
export class FrameStats {
  readonly dropped: Record<string, number> = {};
  constructor(private readonly logger: Logger) {}

  reject(kind: string, reason: string, sample: string): void {
    const n = (this.dropped[kind] ?? 0) + 1;
    this.dropped[kind] = n;
    if (n === 1) this.logger.warn({ kind, reason, sample: sample.length > 300 ? `${sample.slice(0, 300)}…` : sample }, 'malformed or unexpected market-data frame dropped (logged once per kind; counted in feed status)');
  }

  get total(): number {
    let t = 0;
    for (const v of Object.values(this.dropped)) t += v;
    return t;
  }
}
