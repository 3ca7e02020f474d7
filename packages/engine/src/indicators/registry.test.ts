import { describe, expect, it } from 'vitest';
import { indicatorRegistry } from './registry.js';

describe('indicatorRegistry', () => {
  it('looks types up by their exact, case-sensitive names', () => {
    expect(indicatorRegistry.get('EMA')?.type).toBe('EMA');
    expect(indicatorRegistry.get('RSI')?.type).toBe('RSI');
    expect(indicatorRegistry.get('ema')).toBeUndefined();
    for (const [name, def] of indicatorRegistry) expect(def.type).toBe(name);
  });

  it('every definition accepts an empty parameter map (all defaults) and rejects unknown names', () => {
    for (const def of indicatorRegistry.values()) {
      const ok = def.parseParams({});
      expect(ok.ok, def.type).toBe(true);
      const bad = def.parseParams({ no_such_param: 1, other_unknown: 2 });
      expect(bad.ok).toBe(false);
      if (!bad.ok) {
        const text = bad.errors.join('\n');
        expect(text).toContain('"no_such_param"');
        expect(text).toContain('"other_unknown"');
        expect(text).toContain('allowed:');
      }
    }
  });

  it('every indicator starts undefined and becomes ready after warmupBars updates', () => {
    for (const def of indicatorRegistry.values()) {
      const parsed = def.parseParams({});
      if (!parsed.ok) throw new Error(parsed.errors.join('; '));
      const ind = def.create(parsed.params);
      expect(ind.values.length, def.type).toBe(ind.outputNames.length);
      expect(ind.isReady()).toBe(ind.warmupBars === 0);
    }
  });
});
