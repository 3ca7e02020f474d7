import path from 'node:path';
import { parseArgs } from 'node:util';
import { isStoreEmpty, readBackupFile, verifyBackupFile, type BackupCounts, type BackupSummary } from '@btc-research/platform';
import type { CliIo } from '../cli-io.js';
import { openStoreFromEnv } from './store-from-env.js';

export const RESTORE_USAGE = 'usage: btc-research restore FILE [--force]   (into the store DATA_DIR or DATABASE_URL selects; stop the services first)\n';

export function describeCounts(c: BackupCounts): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return `${n(c.strategies)} strategies, ${n(c.trades)} trades, ${n(c.orders)} orders, ${n(c.events)} events, ${n(c.equityPoints)} equity points, ${n(c.snapshots)} snapshots, ${n(c.marketEvents)} market-log inputs, ${n(c.notifications)} notification deliveries`;
}

/**
 * `btc-research restore FILE [--force]`: checks the whole file first (format, every record, the
 * trailer's SHA-256), then writes it into the store. A store that holds anything is refused unless
 * --force, which deletes what it holds first. Exit 0 restored, 1 refused or failed, 2 usage.
 */
export async function runRestoreCommand(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n${RESTORE_USAGE}`);
    return 2;
  }
  if (parsed.positionals.length !== 1) {
    io.stderr.write(RESTORE_USAGE);
    return 2;
  }
  const file = path.resolve(io.cwd, parsed.positionals[0]!);
  let summary: BackupSummary;
  try {
    summary = await verifyBackupFile(file);
  } catch (err) {
    io.stderr.write(`restore: ${(err as Error).message}\n`);
    return 1;
  }
  let opened;
  try {
    opened = await openStoreFromEnv(io.env ?? process.env, io.cwd);
  } catch (err) {
    io.stderr.write(`restore: cannot open the store: ${(err as Error).message}\n`);
    return 1;
  }
  const { store, where } = opened;
  try {
    if (!(await isStoreEmpty(store))) {
      if (!parsed.values.force) {
        const held = (await store.listStrategies()).length;
        io.stderr.write(`restore: ${where} is not empty (${held} strategies); restore into an empty store, or stop the services and pass --force to replace what it holds\n`);
        return 1;
      }
      io.stdout.write(`restore: --force: deleting what ${where} holds\n`);
      await store.clear();
    }
    const counts = await store.importData(readBackupFile(file));
    io.stdout.write(`restored ${file} (taken ${new Date(summary.createdAt).toISOString()} from ${summary.source}) into ${where}: ${describeCounts(counts)}\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`restore: failed: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
