import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConflictError, writeBackupFile, type BackupSummary } from '@btc-research/platform';
import type { CliIo } from '../cli-io.js';
import { describeCounts } from './restore.js';
import { openStoreFromEnv } from './store-from-env.js';

export const BACKUP_USAGE = 'usage: btc-research backup --out FILE[.gz]   (the store DATA_DIR or DATABASE_URL selects, as the services)\n';
/** a market log pruned while the backup read it: the backup starts over, at most this often */
const ATTEMPTS = 3;

/**
 * `btc-research backup --out FILE`: every strategy (state, trades, orders, events, snapshots), who
 * started it, and the market logs, as one verified file, while the system keeps running.
 * Exit 0 written, 1 failed (nothing is left at FILE then), 2 usage.
 */
export async function runBackupCommand(argv: string[], io: CliIo): Promise<number> {
  let out: string | undefined;
  try {
    out = parseArgs({ args: argv, options: { out: { type: 'string' } } }).values.out;
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${BACKUP_USAGE}`);
    return 2;
  }
  if (!out) {
    io.stderr.write(BACKUP_USAGE);
    return 2;
  }
  const file = path.resolve(io.cwd, out);
  const started = Date.now();
  await mkdir(path.dirname(file), { recursive: true });
  let opened;
  try {
    opened = await openStoreFromEnv(io.env ?? process.env, io.cwd);
  } catch (err) {
    io.stderr.write(`backup: cannot open the store: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    let summary: BackupSummary | null = null;
    for (let attempt = 1; summary === null; attempt++) {
      try {
        summary = await writeBackupFile(file, opened.store.exportData());
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= ATTEMPTS) throw err;
        io.stderr.write(`backup: ${err.message}; starting over\n`);
      }
    }
    io.stdout.write(`backup of ${opened.where} written to ${file} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${describeCounts(summary.counts)}\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`backup: failed: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await opened.store.close();
  }
}
