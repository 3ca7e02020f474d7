import type { Redis } from 'ioredis';

/** What using a refresh token found: its first use, a second use (stolen or replayed), or a revoked session. */
export type RefreshUse = 'first-use' | 'reused' | 'family-revoked';

/**
 * Refresh-token rotation with reuse detection (OAuth 2.0 Security BCP §4.14.2). Every refresh token
 * belongs to a family: the session that began at POST /auth/token. Each may be used once; using one
 * again means two parties hold it, so the whole family is revoked and both must sign in again.
 */
export interface RefreshTokenLedger {
  readonly kind: 'memory' | 'redis';
  /** Atomically records the use of refresh token `jti` of `family`; remembered until `expiresAtMs`. */
  use(jti: string, family: string, expiresAtMs: number): Promise<RefreshUse>;
  /** Revokes every token of `family` (refresh and access) for `forMs`. */
  revokeFamily(family: string, forMs: number): Promise<void>;
  isRevoked(family: string): Promise<boolean>;
}

/** Embedded mode: one api-server process, the ledger in its memory. */
export class MemoryRefreshTokenLedger implements RefreshTokenLedger {
  readonly kind = 'memory' as const;
  private readonly used = new Map<string, number>();
  private readonly revoked = new Map<string, number>();
  private operations = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async use(jti: string, family: string, expiresAtMs: number): Promise<RefreshUse> {
    this.prune();
    if (await this.isRevoked(family)) return 'family-revoked';
    const until = this.used.get(jti);
    if (until !== undefined && until > this.now()) return 'reused';
    this.used.set(jti, expiresAtMs);
    return 'first-use';
  }

  async revokeFamily(family: string, forMs: number): Promise<void> {
    this.revoked.set(family, this.now() + forMs);
  }

  async isRevoked(family: string): Promise<boolean> {
    const until = this.revoked.get(family);
    return until !== undefined && until > this.now();
  }

  /** drops expired entries now and then, so the maps hold only tokens that could still be presented */
  private prune(): void {
    this.operations += 1;
    if (this.operations % 1_000 !== 0) return;
    const t = this.now();
    for (const map of [this.used, this.revoked]) for (const [k, until] of map) if (until <= t) map.delete(k);
  }
}

/** Checks the family and claims the token in one step, so two instances cannot both accept one token. */
const USE_SCRIPT = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 'family-revoked' end
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 'first-use' end
return 'reused'`;

/** Distributed mode (REDIS_URL): every api-server instance shares the ledger, with expiring keys. */
export class RedisRefreshTokenLedger implements RefreshTokenLedger {
  readonly kind = 'redis' as const;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'api-auth:',
    private readonly now: () => number = Date.now,
  ) {}

  async use(jti: string, family: string, expiresAtMs: number): Promise<RefreshUse> {
    const ttlMs = Math.max(1, Math.ceil(expiresAtMs - this.now()));
    const out = await this.redis.eval(USE_SCRIPT, 2, `${this.prefix}used:${jti}`, `${this.prefix}revoked:${family}`, String(ttlMs));
    if (out === 'first-use' || out === 'reused' || out === 'family-revoked') return out;
    throw new Error(`unexpected answer from the refresh-token script: ${String(out)}`);
  }

  async revokeFamily(family: string, forMs: number): Promise<void> {
    await this.redis.set(`${this.prefix}revoked:${family}`, '1', 'PX', Math.max(1, Math.ceil(forMs)));
  }

  async isRevoked(family: string): Promise<boolean> {
    return (await this.redis.exists(`${this.prefix}revoked:${family}`)) === 1;
  }
}
