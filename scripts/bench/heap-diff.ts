/**
 * `tsx scripts/bench/heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> [top]`: what grew between
 * two V8 heap snapshots (e.g. the embedded bench's BENCH_EMBEDDED_HEAP_SNAPSHOTS of day 2 and day 4).
 * Prints the object groups (node type + constructor/name) whose count and self size grew most, and for
 * each, the retaining paths (from the GC roots, by shortest distance) that hold most of the after-snapshot's
 * instances. HEAP_DIFF_OWNERS=1: self size by owner instead (the nearest instance of a named class up
 * the shortest retaining path, with its field), e.g. `MemoryStream.entries`; HEAP_DIFF_PER_INSTANCE=<regex>
 * splits the owners whose class matches by object (V8 ids are stable across one process's snapshots).
 * No dependencies: it reads the snapshot JSON directly (give node --max-old-space-size=4096).
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Graph {
  nodeCount: number;
  type: (n: number) => string;
  name: (n: number) => string;
  selfSize: (n: number) => number;
  /** V8's id of the object: stable across the snapshots of one process */
  id: (n: number) => number;
  /** strong retainers of each node: [retainer, edge label] */
  retainers: Array<Array<[number, string]>>;
  distance: Int32Array;
}

function load(file: string): Graph {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const nf = s.snapshot.meta.node_fields;
  const ef = s.snapshot.meta.edge_fields;
  const nodeTypes = s.snapshot.meta.node_types[0];
  const edgeTypes = s.snapshot.meta.edge_types[0];
  const N = nf.length;
  const E = ef.length;
  const [iType, iName, iSize, iEdges] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nf.indexOf(f)) as [number, number, number, number];
  const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => ef.indexOf(f)) as [number, number, number];
  const nodeCount = s.nodes.length / N;
  const retainers: Array<Array<[number, string]>> = Array.from({ length: nodeCount }, () => []);
  const children: number[][] = Array.from({ length: nodeCount }, () => []);
  let e = 0;
  for (let n = 0; n < nodeCount; n++) {
    const count = s.nodes[n * N + iEdges]!;
    for (let k = 0; k < count; k++, e += E) {
      const et = edgeTypes[s.edges[e + eType]!]!;
      if (et === 'weak' || et === 'shortcut') continue;
      const to = s.edges[e + eTo]! / N;
      const nameOrIndex = s.edges[e + eName]!;
      const label = et === 'element' || et === 'hidden' ? `[${nameOrIndex}]` : String(s.strings[nameOrIndex]);
      retainers[to]!.push([n, label]);
      children[n]!.push(to);
    }
  }
  const distance = new Int32Array(nodeCount).fill(-1);
  distance[0] = 0;
  let frontier = [0];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const n of frontier) {
      for (const c of children[n]!) {
        if (distance[c] !== -1) continue;
        distance[c] = distance[n]! + 1;
        next.push(c);
      }
    }
    frontier = next;
  }
  return {
    nodeCount,
    type: (n) => String(nodeTypes[s.nodes[n * N + iType]!]),
    name: (n) => String(s.strings[s.nodes[n * N + iName]!]).slice(0, 60),
    selfSize: (n) => s.nodes[n * N + iSize]!,
    id: (n) => s.nodes[n * N + nf.indexOf('id')]!,
    retainers,
    distance,
  };
}

function groups(g: Graph): Map<string, { count: number; size: number; nodes: number[] }> {
  const out = new Map<string, { count: number; size: number; nodes: number[] }>();
  for (let n = 0; n < g.nodeCount; n++) {
    if (g.distance[n] === -1) continue; // unreachable: garbage the snapshot still listed
    const key = `${g.type(n)} ${g.type(n) === 'string' || g.type(n) === 'number' ? '' : g.name(n)}`;
    const entry = out.get(key) ?? { count: 0, size: 0, nodes: [] };
    entry.count++;
    entry.size += g.selfSize(n);
    entry.nodes.push(n);
    out.set(key, entry);
  }
  return out;
}

/** the path from a GC root down to n, walking up through the closest retainer each step */
function pathTo(g: Graph, n: number, depth = 12): string {
  const parts: string[] = [];
  let cur = n;
  for (let i = 0; i < depth && g.distance[cur]! > 1; i++) {
    let best: [number, string] | undefined;
    for (const r of g.retainers[cur]!) if (g.distance[r[0]]! >= 0 && (best === undefined || g.distance[r[0]]! < g.distance[best[0]]!)) best = r;
    if (best === undefined) break;
    const label = /^\[\d+\]$/.test(best[1]) ? '[i]' : best[1];
    parts.unshift(`${g.name(best[0])}.${label}`);
    cur = best[0];
  }
  return parts.join(' → ');
}

const GENERIC = /^(Array|Object|Map|Set|system|\(|native|Generator|Promise|Context|$)/;

/** self size by owner: the nearest retainer up the shortest path that is an instance of a named class, with the field it holds it in */
function owners(g: Graph, perInstance = new RegExp(process.env['HEAP_DIFF_PER_INSTANCE'] ?? '^$')): Map<string, number> {
  const parent = new Int32Array(g.nodeCount).fill(-1);
  const label: string[] = new Array<string>(g.nodeCount);
  for (let n = 1; n < g.nodeCount; n++) {
    if (g.distance[n]! < 0) continue;
    const r = g.retainers[n]!.find(([from]) => g.distance[from] === g.distance[n]! - 1);
    if (r === undefined) continue;
    parent[n] = r[0];
    label[n] = r[1];
  }
  const out = new Map<string, number>();
  for (let n = 1; n < g.nodeCount; n++) {
    if (g.distance[n]! < 0) continue;
    let cur = n;
    let key = '(no owner)';
    for (let i = 0; i < 30 && parent[cur]! >= 0; i++) {
      const p = parent[cur]!;
      if (g.type(p) === 'object' && !GENERIC.test(g.name(p))) {
        key = `${g.name(p)}${perInstance.test(g.name(p)) ? `@${g.id(p)}` : ''}.${/^\[\d+\]$/.test(label[cur]!) ? '[i]' : label[cur]}`;
        break;
      }
      cur = p;
    }
    out.set(key, (out.get(key) ?? 0) + g.selfSize(n));
  }
  return out;
}

function main(): void {
  const [beforeFile, afterFile, topArg] = process.argv.slice(2);
  if (beforeFile === undefined || afterFile === undefined) throw new Error('usage: heap-diff.ts <before> <after> [top]');
  const top = Number(topArg ?? 25);
  const beforeGraph = load(beforeFile);
  const before = groups(beforeGraph);
  const afterGraph = load(afterFile);
  const after = groups(afterGraph);
  if (process.env['HEAP_DIFF_OWNERS'] === '1') {
    const b = owners(beforeGraph);
    const a = owners(afterGraph);
    const rows = [...a].map(([k, v]) => ({ k, v, d: v - (b.get(k) ?? 0) })).sort((x, y) => y.d - x.d);
    for (const r of rows.slice(0, top)) console.log(`${r.k.padEnd(70)} +${(r.d / 1024).toFixed(0)} kB (now ${(r.v / 1024).toFixed(0)} kB)`);
    return;
  }
  const diffs = [...after].map(([key, a]) => {
    const b = before.get(key);
    return { key, a, dCount: a.count - (b?.count ?? 0), dSize: a.size - (b?.size ?? 0) };
  });
  diffs.sort((x, y) => y.dSize - x.dSize);
  const kb = (x: number) => `${(x / 1024).toFixed(0)} kB`;
  console.log(`total reachable self size: before ${kb([...before.values()].reduce((t, v) => t + v.size, 0))}, after ${kb([...after.values()].reduce((t, v) => t + v.size, 0))}`);
  for (const d of diffs.slice(0, top)) {
    console.log(`\n${d.key.padEnd(50)} +${d.dCount} objects, +${kb(d.dSize)} (now ${d.a.count}, ${kb(d.a.size)})`);
    const paths = new Map<string, number>();
    const step = Math.max(1, Math.floor(d.a.nodes.length / 400));
    for (let i = 0; i < d.a.nodes.length; i += step) {
      const p = pathTo(afterGraph, d.a.nodes[i]!);
      paths.set(p, (paths.get(p) ?? 0) + 1);
    }
    for (const [p, c] of [...paths].sort((x, y) => y[1] - x[1]).slice(0, 3)) console.log(`   ${c}× ${p}`);
  }
}

main();
