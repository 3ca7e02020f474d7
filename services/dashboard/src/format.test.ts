import { describe, expect, it } from 'vitest';
import { fmtDuration, formattersFor, jsonForScript } from './format.js';

describe('page data in a script element', () => {
  it('cannot close the element', () => {
    expect(jsonForScript({ a: '</script><script>alert(1)</script>' })).not.toContain('</script>');
    expect(JSON.parse(jsonForScript({ a: '</script>&' }))).toEqual({ a: '</script>&' });
  });
});

describe('durations and time zones', () => {
  it('writes a duration in the largest units that matter', () => {
    expect([null, 850, 56_391, 939_000, 3_600_000, 7_380_000, 86_400_000 * 3 + 4 * 3_600_000 + 5].map((ms) => fmtDuration(ms))).toEqual(['—', '850 ms', '56 s', '15 min 39 s', '1 h', '2 h 3 min', '3 d 4 h']);
  });

  it('writes a time in the chosen zone, UTC as before', () => {
    const t = Date.UTC(2025, 5, 2, 13, 45, 0);
    expect(formattersFor('UTC').time(t)).toBe('2025-06-02 13:45:00Z');
    // Berlin is two hours ahead in summer; the zone's short name as ICU writes it
    expect(formattersFor('Europe/Berlin').time(t)).toMatch(/^2025-06-02 15:45:00 (CEST|GMT\+2)$/);
    expect(formattersFor('Europe/Berlin').time(null)).toBe('—');
  });
});
