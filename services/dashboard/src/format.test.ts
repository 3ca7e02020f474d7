import { describe, expect, it } from 'vitest';
import { jsonForScript } from './format.js';

describe('page data in a script element', () => {
  it('cannot close the element', () => {
    expect(jsonForScript({ a: '</script><script>alert(1)</script>' })).not.toContain('</script>');
    expect(JSON.parse(jsonForScript({ a: '</script>&' }))).toEqual({ a: '</script>&' });
  });
});
