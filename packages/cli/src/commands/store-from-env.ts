import path from 'node:path';
import { createStrategyStore, type StrategyStore } from '@btc-research/platform';

export type CliEnv = Readonly<Record<string, string | undefined>>;

/**
 * The store the services of this environment use: PostgreSQL when DATABASE_URL is set (schema
 * DATABASE_SCHEMA, default public), else the JSON files under DATA_DIR (default data/).
 */
export async function openStoreFromEnv(env: CliEnv, cwd: string): Promise<{ store: StrategyStore; where: string }> {
  const databaseUrl = env['DATABASE_URL'] || undefined;
  const schema = env['DATABASE_SCHEMA'] || undefined;
  const dataDir = path.resolve(cwd, env['DATA_DIR'] || 'data');
  const store = await createStrategyStore({ dataDir, databaseUrl, databaseSchema: schema });
  const where = databaseUrl ? `PostgreSQL ${redactUrl(databaseUrl)} (schema ${schema ?? 'public'})` : `JSON files in ${dataDir}`;
  return { store, where };
}

/** A connection URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable DATABASE_URL)';
  }
}
