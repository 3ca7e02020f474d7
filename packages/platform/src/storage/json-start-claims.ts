import { rm } from 'node:fs/promises';
import type { StrategyStatusValue } from '@btc-research/contracts';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from './atomic-file.js';
import { LIVE_STRATEGY_STATUSES, type StartClaim, type StartClaimRequest } from './strategy-store.js';
import { parseStored } from './validate.js';

const StoredClaims = z.record(z.string(), z.object({ owner: z.string().min(1), claimedAt: z.number(), pendingUntil: z.number() }));
type Claims = z.infer<typeof StoredClaims>;

/**
 * The JSON store's start claims: one file (`<dataDir>/start-claims.json`), read and rewritten
 * atomically. The caller serialises the operations (the store runs them one after another), which
 * with one writing process makes check-and-claim atomic.
 */
export class JsonStartClaims {
  constructor(
    private readonly path: string,
    private readonly now: () => number = Date.now,
  ) {}

  private async load(): Promise<Claims> {
    const raw = await readJsonFile(this.path);
    return raw === null ? {} : parseStored(StoredClaims, raw, this.path);
  }

  private async save(claims: Claims): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(claims, null, 1)}\n`);
  }

  async claim(request: StartClaimRequest, statusOf: (id: string) => Promise<StrategyStatusValue | null>): Promise<StartClaim> {
    const claims = await this.load();
    const t = this.now();
    if ((claims[request.strategyId]?.pendingUntil ?? 0) > t) return { outcome: 'in-progress' };
    const status = await statusOf(request.strategyId);
    if (status !== null && LIVE_STRATEGY_STATUSES.has(status)) return { outcome: 'live', status };
    if (request.maxLivePerOwner !== null) {
      let live = 0;
      for (const [id, c] of Object.entries(claims)) {
        if (c.owner !== request.owner || id === request.strategyId) continue;
        const s = c.pendingUntil > t ? null : await statusOf(id);
        if (c.pendingUntil > t || (s !== null && LIVE_STRATEGY_STATUSES.has(s))) live += 1;
      }
      if (live >= request.maxLivePerOwner) return { outcome: 'limit-reached', live, limit: request.maxLivePerOwner };
    }
    claims[request.strategyId] = { owner: request.owner, claimedAt: t, pendingUntil: t + Math.max(0, request.ttlMs) };
    await this.save(claims);
    return { outcome: 'claimed' };
  }

  async settle(strategyId: string, owner: string): Promise<void> {
    const claims = await this.load();
    const c = claims[strategyId];
    if (c?.owner !== owner) return;
    c.pendingUntil = c.claimedAt;
    await this.save(claims);
  }

  async list(): Promise<Array<{ strategyId: string; owner: string }>> {
    return Object.entries(await this.load())
      .map(([strategyId, c]) => ({ strategyId, owner: c.owner }))
      .sort((a, b) => (a.strategyId < b.strategyId ? -1 : a.strategyId > b.strategyId ? 1 : 0));
  }

  /** restore: the owner of a strategy, not pending */
  async put(strategyId: string, owner: string): Promise<void> {
    const claims = await this.load();
    const t = this.now();
    claims[strategyId] = { owner, claimedAt: t, pendingUntil: t };
    await this.save(claims);
  }

  /** a removed strategy's claim */
  async remove(strategyId: string): Promise<void> {
    const claims = await this.load();
    if (!Object.hasOwn(claims, strategyId)) return;
    delete claims[strategyId];
    await this.save(claims);
  }

  async clear(): Promise<void> {
    await rm(this.path, { force: true });
  }
}
