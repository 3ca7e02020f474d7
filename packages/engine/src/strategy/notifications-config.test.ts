import { describe, expect, it } from 'vitest';
import { formatProblem, loadStrategyConfig } from './config-loader.js';

const BASE = `name: alerts
symbol: BTC/USDT
timeframes:
  entry: 1m
logic:
  entry_long: ["close > open"]
`;

describe('the notifications: section of a strategy file', () => {
  it('is optional: absent means no per-strategy settings', () => {
    const r = loadStrategyConfig(BASE, 's.yaml');
    expect(r.ok && r.config.notifications).toBeUndefined();
  });

  it('reads channels, events and the drawdown threshold, with defaults for what is not said', () => {
    const r = loadStrategyConfig(`${BASE}notifications:\n  channels: [webhook, telegram]\n  events: [fill, strategy.errored]\n  drawdown_threshold: 0.05\n`, 's.yaml');
    if (!r.ok) throw new Error(r.errors.map(formatProblem).join('\n'));
    expect(r.config.notifications).toEqual({ enabled: true, channels: ['webhook', 'telegram'], events: ['fill', 'strategy.errored'], drawdownThreshold: 0.05 });
    const defaults = loadStrategyConfig(`${BASE}notifications:\n  enabled: false\n`, 's.yaml');
    expect(defaults.ok && defaults.config.notifications).toEqual({ enabled: false, channels: undefined, events: undefined, drawdownThreshold: 0.1 });
  });

  it('rejects an unknown channel or event with its line and column and the allowed names', () => {
    const r = loadStrategyConfig(`${BASE}notifications:\n  channels: [webhook, email]\n  events:\n    - fill\n    - fills\n`, 's.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const channel = r.errors.find((e) => e.path === 'notifications.channels[1]');
    expect(channel).toMatchObject({ code: 'INVALID_VALUE', line: 8, column: 23, found: 'email' });
    expect(channel?.allowed).toContain('telegram');
    expect(r.errors.find((e) => e.path === 'notifications.events[1]')).toMatchObject({ code: 'INVALID_VALUE', line: 11, column: 7, found: 'fills' });
  });

  it('rejects a threshold outside (0, 1] and warns about a misspelt key', () => {
    const r = loadStrategyConfig(`${BASE}notifications:\n  drawdown_threshold: 5\n  chanels: [webhook]\n`, 's.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([expect.objectContaining({ path: 'notifications.drawdown_threshold', code: 'OUT_OF_RANGE', line: 8 })]);
    expect(r.warnings).toEqual([expect.objectContaining({ path: 'notifications.chanels', code: 'UNKNOWN_KEY', message: expect.stringContaining('did you mean `channels`') })]);
  });

  it('is ignored, with a warning, in legacy mode (even when it would not validate)', () => {
    const r = loadStrategyConfig(`${BASE}compat: legacy\nnotifications:\n  channels: [email]\n`, 's.yaml');
    if (!r.ok) throw new Error(r.errors.map(formatProblem).join('\n'));
    expect(r.config.notifications).toBeUndefined();
    expect(r.warnings).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'notifications', code: 'IGNORED_KEY' })]));
  });
});
