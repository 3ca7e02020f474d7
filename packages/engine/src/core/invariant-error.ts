/** A broken invariant (corrupt data, a ledger that does not balance): fail fast, never trade on. */
export class InvariantError extends Error {
  override readonly name = 'InvariantError';
  readonly code = 'INVARIANT_VIOLATED';
}
