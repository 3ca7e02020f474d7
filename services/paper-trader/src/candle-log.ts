import fs from 'node:fs/promises';
import path from 'node:path';
import type { Candle } from '@btc-research/engine';

/**
 * The paper trader's record of every closed 1m candle it consumed, per symbol (append-only JSONL in
 * data/market_data/historical_cache/). Strategies are rebuilt by replaying it through the same
 * TradingCore, which makes a restart reproduce exactly the state an uninterrupted run would have.
 */
export class CandleLog {
  private candles: Candle[] = [];
  private readonly file: string;

  constructor(dataDir: string, readonly symbol: string) {
    this.file = path.join(dataDir, 'market_data', 'historical_cache', `${symbol}-1m.jsonl`);
  }

  async load(): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    let text = '';
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const out: Candle[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const c = JSON.parse(line) as Candle;
        if (out.length === 0 || c.openTime >= out[out.length - 1]!.closeTime) out.push(c);
      } catch {
        // a torn last line from a crash: ignored, rewritten by the next append
      }
    }
    this.candles = out;
    if (text !== '' && !text.endsWith('\n')) await fs.appendFile(this.file, '\n');
  }

  all(): readonly Candle[] {
    return this.candles;
  }

  last(): Candle | undefined {
    return this.candles[this.candles.length - 1];
  }

  /** true if the candle is new (after the last one); duplicates and older candles are ignored. */
  accepts(c: Candle): boolean {
    const last = this.last();
    return last === undefined || c.openTime >= last.closeTime;
  }

  async append(batch: readonly Candle[]): Promise<void> {
    if (batch.length === 0) return;
    const fh = await fs.open(this.file, 'a');
    try {
      await fh.appendFile(batch.map((c) => JSON.stringify(c)).join('\n') + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
    this.candles.push(...batch);
  }
}
