/** Redis stream ids: "<ms>-<seq>", both non-negative integers. */
export interface StreamId {
  ms: number;
  seq: number;
}

const ID_RE = /^(\d+)-(\d+)$/;

/** Parses "<ms>-<seq>" (or "<ms>", meaning seq 0). Throws on anything else. */
export function parseStreamId(id: string): StreamId {
  const m = ID_RE.exec(id);
  if (m) return { ms: Number(m[1]), seq: Number(m[2]) };
  if (/^\d+$/.test(id)) return { ms: Number(id), seq: 0 };
  throw new Error(`invalid stream id "${id}"`);
}

export function formatStreamId(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

/** Orders stream ids numerically (not lexicographically): negative when a < b. */
export function compareStreamIds(a: string, b: string): number {
  const x = parseStreamId(a);
  const y = parseStreamId(b);
  return x.ms !== y.ms ? x.ms - y.ms : x.seq - y.seq;
}

/** The next id after `last` for an append at wall time `nowMs` (monotonic even if the clock steps back). */
export function nextStreamId(last: StreamId | null, nowMs: number): StreamId {
  if (last === null || nowMs > last.ms) return { ms: nowMs, seq: 0 };
  return { ms: last.ms, seq: last.seq + 1 };
}
