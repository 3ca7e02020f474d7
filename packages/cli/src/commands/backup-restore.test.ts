/**
 * `btc-research backup` and `restore` in-process over JSON stores in temporary directories: exit
 * codes and messages. The round trip while strategies trade, on both stores, is
 * tests/deploy/backup-restore.test.ts.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { JsonStrategyStore } from '@btc-research/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'btc-cli-backup-'));
  const store = new JsonStrategyStore({ dataDir: join(dir, 'source') });
  await store.upsertStrategy({ id: 'demo', name: 'Demo', configName: 'demo.yaml', configYaml: 'name: Demo\n', symbol: 'BTCUSDT', status: 'running', error: null, initialCash: '1000', createdAt: 1, updatedAt: 1 });
  await store.appendTrades('demo', [{ strategyId: 'demo', tradeId: 't1', orderId: 'o1', symbol: 'BTCUSDT', side: 'buy', quantity: '0.5', price: '60000.25', fee: '0.03', realizedPnl: '0', reason: 'rule', time: 1_000 }]);
  await store.appendMarketEvents('BTCUSDT', [{ kind: 'candle', time: 60_000, sourceId: 'candle:0', data: { close: '1' } }]);
  await store.close();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function cli(args: string[], dataDir: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd: dir, env: { DATA_DIR: dataDir } });
  return { code, stdout, stderr };
}

describe('btc-research backup and restore', () => {
  it('backs up, refuses to restore over data without --force, restores into an empty store and replaces with --force', async () => {
    const backup = await cli(['backup', '--out', 'b.jsonl.gz'], join(dir, 'source'));
    expect(backup.code, backup.stderr).toBe(0);
    // a directory that does not exist yet is made
    expect((await cli(['backup', '--out', 'backups/2025/b.jsonl'], join(dir, 'source'))).code).toBe(0);
    expect(backup.stdout).toMatch(/written to .*b\.jsonl\.gz in [\d.]+ s: 1 strategies, 1 trades, .* 1 market-log inputs/);

    const over = await cli(['restore', 'b.jsonl.gz'], join(dir, 'source'));
    expect(over.code).toBe(1);
    expect(over.stderr).toContain('is not empty (1 strategies)');
    expect(over.stderr).toContain('--force');

    const into = await cli(['restore', 'b.jsonl.gz'], join(dir, 'target'));
    expect(into.code, into.stderr).toBe(0);
    expect(into.stdout).toMatch(/restored .* from json\) into JSON files in .*target: 1 strategies, 1 trades/);
    const forced = await cli(['restore', 'b.jsonl.gz', '--force'], join(dir, 'target'));
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('--force: deleting what');
    const restored = new JsonStrategyStore({ dataDir: join(dir, 'target') });
    expect((await restored.listTrades('demo', { limit: 10 })).items.map((t) => t.tradeId)).toEqual(['t1']);
    await restored.close();
  });

  it('refuses a damaged, truncated or foreign file before writing anything, naming the line', async () => {
    const good = gunzipSync(await readFile(join(dir, 'b.jsonl.gz'))).toString();
    const lines = good.trimEnd().split('\n');
    const cases: Array<[string, string, RegExp]> = [
      ['truncated.jsonl', `${lines.slice(0, -1).join('\n')}\n`, /no trailer: the file is incomplete/],
      ['edited.jsonl', good.replace('60000.25', '60000.26'), /does not match its trailer/],
      ['broken.jsonl', `${lines[0]}\n{"kind":"trades","strategyId":"demo","trades":[{"tradeId":1}]}\n`, /broken\.jsonl:2: trades\.0/],
      ['foreign.jsonl', '{"hello":"world"}\n', /foreign\.jsonl:1:/],
      ['not-json.jsonl', 'not json\n', /not-json\.jsonl:1: not valid JSON/],
    ];
    for (const [name, text, message] of cases) {
      await writeFile(join(dir, name), text);
      const r = await cli(['restore', name], join(dir, `empty-${name}`));
      expect(r.code, name).toBe(1);
      expect(r.stderr, name).toMatch(message);
      const untouched = new JsonStrategyStore({ dataDir: join(dir, `empty-${name}`) });
      expect(await untouched.listStrategies(), name).toEqual([]);
      await untouched.close();
    }
    // gzip is read the same way
    await writeFile(join(dir, 'plain.jsonl.gz'), gzipSync(good));
    expect((await cli(['restore', 'plain.jsonl.gz'], join(dir, 'from-gz'))).code).toBe(0);
  });

  it('answers usage errors with 2', async () => {
    expect((await cli(['backup'], dir)).code).toBe(2);
    expect((await cli(['backup', '--bogus'], dir)).code).toBe(2);
    expect((await cli(['restore'], dir)).code).toBe(2);
    expect((await cli(['restore', 'a', 'b'], dir)).code).toBe(2);
  });
});
