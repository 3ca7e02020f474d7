import { createHash } from 'node:crypto';
import type { SnapshotRecord } from './strategy-store.js';

/** Canonical JSON (object keys sorted) so the checksum does not depend on key order or storage. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** SHA-256 of a snapshot's canonical JSON, hex. */
export function snapshotChecksum(snapshot: SnapshotRecord): string {
  return createHash('sha256').update(canonicalJson(snapshot)).digest('hex');
}
