import { describe, expect, it } from 'vitest';
import { ConfigError } from '@btc-research/platform';
import { readPaperTraderConfig } from './config.js';

describe('paper-trader settings from the environment', () => {
  it('keeps 24 h of market log with JSON files and 72 h with PostgreSQL unless told otherwise; 0 keeps everything', () => {
    expect(readPaperTraderConfig({}).marketLogRetentionMs).toBe(24 * 3_600_000);
    expect(readPaperTraderConfig({ DATABASE_URL: 'postgres://x@h/db' }).marketLogRetentionMs).toBe(72 * 3_600_000);
    expect(readPaperTraderConfig({ MARKET_LOG_RETENTION_HOURS: '0' }).marketLogRetentionMs).toBe(0);
    expect(readPaperTraderConfig({ MARKET_LOG_RETENTION_HOURS: '6' }).marketLogRetentionMs).toBe(6 * 3_600_000);
  });

  it('refuses values that make no sense, naming the variable', () => {
    expect(() => readPaperTraderConfig({ MARKET_LOG_RETENTION_HOURS: '-1' })).toThrow(ConfigError);
    expect(() => readPaperTraderConfig({ MARKET_LOG_RETENTION_HOURS: 'a week' })).toThrow(/MARKET_LOG_RETENTION_HOURS/);
    expect(() => readPaperTraderConfig({ MAKER_COMMISSION: '2%' })).toThrow(/MAKER_COMMISSION/);
    expect(() => readPaperTraderConfig({ AUTO_START_FROM: 'yesterday' })).toThrow(/AUTO_START_FROM/);
  });
});
