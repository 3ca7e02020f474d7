/**
 * The monitoring shipped with the production deployment (deploy/prometheus/), validated offline:
 *  - with promtool (Debian's prometheus package; .ci/run installs it when it can): the
 *    configuration and rules check, and the unit tests in alerts.test.yml pass, so each alert fires
 *    on the input it is for and not before. Without promtool the PromQL parser checks below are
 *    what validates the rules (they always run);
 *  - every expression parses (Prometheus's own grammar, @prometheus-io/lezer-promql) and every
 *    rule has a severity, a summary and a description;
 *  - every metric and label an alert reads is one a real api-server exports (scraped here over a
 *    real Redis bus and store with a simulated feed, a strategy in error and a consumer group).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Streams } from '@btc-research/contracts';
import { createHarness, feedStatus, publishFeed, publishStatus, redisUrlFor, RedisDb, strategyRecord, type Harness } from '../../services/api-server/src/test-support/harness.js';
import { REPO_ROOT } from './compose-lib.js';

const DIR = path.join(REPO_ROOT, 'deploy', 'prometheus');
const REDIS_URL = redisUrlFor(RedisDb.shared);

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function rules(): Rule[] {
  const doc = parse(readFileSync(path.join(DIR, 'alerts.yml'), 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> };
  return doc.groups.flatMap((g) => g.rules);
}

/** Metric names and label names an expression reads; throws on a syntax error. */
function selectors(expr: string): { metrics: Set<string>; labels: Set<string> } {
  const tree = parser.parse(expr);
  const metrics = new Set<string>();
  const labels = new Set<string>();
  const errors: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(`at ${node.from}: "${expr.slice(node.from, node.to + 10)}"`);
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') metrics.add(expr.slice(node.from, node.to));
      if (node.name === 'LabelName' && node.node.parent?.name === 'UnquotedLabelMatcher') labels.add(expr.slice(node.from, node.to));
    },
  });
  if (errors.length > 0) throw new Error(`PromQL syntax error in ${expr}: ${errors.join('; ')}`);
  return { metrics, labels };
}

function promtool(args: string[]): { isAvailable: boolean; code: number | null; output: string } {
  const r = spawnSync('promtool', args, { cwd: DIR, encoding: 'utf8', timeout: 60_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return { isAvailable: false, code: null, output: '' };
  return { isAvailable: true, code: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('Prometheus configuration and alert rules', () => {
  it('pass promtool\'s checks and the alert unit tests (with promtool), or the PromQL parser (without it)', () => {
    const config = promtool(['check', 'config', 'prometheus.yml']);
    if (config.isAvailable) {
      expect(config.code, config.output).toBe(0);
      expect(config.output).toContain(`SUCCESS: ${rules().length} rules found`);
      const unit = promtool(['test', 'rules', 'alerts.test.yml']);
      expect(unit.code, unit.output).toBe(0);
      expect(unit.output).toContain('SUCCESS');
      // every alert has a unit test that expects it to fire
      const tests = readFileSync(path.join(DIR, 'alerts.test.yml'), 'utf8');
      for (const r of rules()) expect(tests, r.alert).toMatch(new RegExp(`alertname: ${r.alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
    } else {
      for (const r of rules()) expect(() => selectors(r.expr), r.alert).not.toThrow();
      const scrape = parse(readFileSync(path.join(DIR, 'prometheus.yml'), 'utf8')) as { rule_files: string[]; scrape_configs: Array<{ job_name: string }> };
      expect(scrape.rule_files).toEqual(['alerts.yml']);
      expect(scrape.scrape_configs.map((c) => c.job_name)).toEqual(['api-server']);
    }
  });

  it('parse with Prometheus\'s PromQL grammar, and each carries a severity, a summary and a description', () => {
    expect(() => selectors('sum(rate(x[5m])')).toThrow(/syntax error/);
    const all = rules();
    expect(all.map((r) => r.alert).sort()).toEqual([
      'ApiServer5xxRate', 'ApiServerDown', 'ApiServerMemoryHigh', 'ConsumerGroupFallingBehind', 'ConsumerGroupPendingGrowing',
      'MarketDataSimulated', 'MarketDataStale', 'MarketDataStatusMissing', 'PaperTraderLagging', 'RedisMemoryHigh', 'StrategyErrored',
    ]);
    for (const r of all) {
      expect(() => selectors(r.expr), r.alert).not.toThrow();
      expect(['critical', 'warning'], r.alert).toContain(r.labels?.['severity']);
      expect(r.for, r.alert).toMatch(/^\d+m$/);
      expect(r.annotations?.['summary']?.length, r.alert).toBeGreaterThan(10);
      expect(r.annotations?.['description']?.length, r.alert).toBeGreaterThan(20);
    }
  });
});

describe('what the alerts read', () => {
  let h: Harness;
  let redis: Redis;
  let scrape = '';

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    h = await createHarness(REDIS_URL, { rateLimit: { max: 10_000, timeWindowMs: 60_000, redis }, collectDefaultMetrics: true });
    await h.store.upsertStrategy(strategyRecord('mon-running'));
    await h.store.saveState({ strategyId: 'mon-running', time: 1, cash: '1', equity: '1', positionQty: '0', avgEntryPrice: '0', realizedPnl: '0', unrealizedPnl: '0', feesPaid: '0', lastPrice: null, lastCandleCloseTime: 1_700_000_000_000, tradeCount: 0, core: null });
    await h.store.upsertStrategy(strategyRecord('mon-broken', { status: 'error', error: 'boom' }));
    // a consumer group with an entry delivered and not acknowledged
    const stream = Streams.commands();
    await publishStatus(h.bus, 'mon-running', 'running');
    await redis.xgroup('CREATE', stream, 'monitoring-test', '0', 'MKSTREAM').catch(() => undefined);
    await redis.xreadgroup('GROUP', 'monitoring-test', 'c1', 'COUNT', 1, 'STREAMS', stream, '>');
    await publishFeed(h.bus, feedStatus({ isSimulated: true, lastCandleCloseTime: 1_700_000_060_000 }));
    await h.app.inject({ url: '/api/v1/strategies/nobody/status' });
    for (let i = 0; i < 50 && !scrape.includes('btc_feed_simulated 1'); i++) {
      scrape = (await h.app.inject({ url: '/metrics' })).body;
      if (!scrape.includes('btc_feed_simulated 1')) await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    await redis.xgroup('DESTROY', Streams.commands(), 'monitoring-test').catch(() => undefined);
    await h.close();
    redis.disconnect();
  });

  it('is exported by the api-server, every metric with the labels the rules select on (up is Prometheus\'s own)', () => {
    const exported = new Map<string, Set<string>>();
    for (const line of scrape.split('\n')) {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? /.exec(line);
      if (!m?.[1]) continue;
      const labels = exported.get(m[1]) ?? new Set<string>();
      for (const pair of (m[2] ?? '').split(',').filter(Boolean)) labels.add(pair.split('=')[0]!);
      exported.set(m[1], labels);
    }
    for (const r of rules()) {
      const { metrics, labels } = selectors(r.expr);
      for (const metric of metrics) {
        if (metric === 'up') continue;
        expect(exported.has(metric), `${r.alert} reads ${metric}`).toBe(true);
        for (const label of labels) if (label !== 'job') expect([...metrics].some((m) => exported.get(m)?.has(label)), `${r.alert}: label ${label}`).toBe(true);
      }
    }
  });

  it('says what the system looks like: a simulated feed, a strategy in error, one behind the feed, a pending entry', () => {
    expect(scrape).toContain('btc_feed_status_known 1');
    expect(scrape).toContain('btc_feed_simulated 1');
    expect(scrape).toContain('btc_feed_state{state="live"} 1');
    expect(scrape).toContain('btc_strategies{status="error"} 1');
    expect(scrape).toContain('btc_strategies{status="running"} 1');
    expect(scrape).toContain('btc_strategy_lag_seconds{strategy_id="mon-running"} 60');
    expect(scrape).toMatch(new RegExp(`btc_bus_pending_entries\\{stream="${Streams.commands()}",group="monitoring-test"\\} 1`));
    expect(scrape).toMatch(/btc_redis_memory_used_bytes \d+/);
  });
});
