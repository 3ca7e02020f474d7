/**
 * docs/architecture.md is where a newcomer learns what streams and packages exist. It must name
 * every stream in the contracts' stream catalogue, every message type, and every package and
 * service in the tree, so adding one without documenting it fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MessageType, Streams } from '@btc-research/contracts';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const doc = readFileSync(path.join(root, 'docs/architecture.md'), 'utf8');

/** `md:candle:${symbol}:1m` as the doc writes it: `md:candle:{symbol}:1m` */
function documentedKey(make: (...args: string[]) => string): string {
  return make('{symbol}').replace('dlq:{symbol}', 'dlq:<stream>');
}

describe('docs/architecture.md', () => {
  it('names every stream of the contracts', () => {
    const missing = Object.values(Streams).map(documentedKey).filter((key) => !doc.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });

  it('names every message type', () => {
    const missing = Object.values(MessageType).filter((type) => !doc.includes(`\`${type}\``));
    expect(missing).toEqual([]);
  });

  it('names every package and service in the tree', () => {
    const dirs = ['packages', 'services'].flatMap((top) =>
      readdirSync(path.join(root, top), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => `${top}/${d.name}`),
    );
    expect(dirs.length).toBeGreaterThan(5);
    expect(dirs.filter((dir) => !doc.includes(`\`${dir}\``))).toEqual([]);
  });
});
