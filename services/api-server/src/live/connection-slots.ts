import { ApiErrorCode } from '@btc-research/contracts';
import { ApiError } from '../errors.js';

/**
 * How many live-event connections (SSE and WebSocket together) each client holds. A client over
 * its limit is refused with 429 before anything is streamed; every slot is released exactly once.
 */
export class ConnectionSlots {
  private readonly perClient = new Map<string, number>();

  constructor(private readonly maxPerClient: number) {}

  /** takes one of `clientId`'s slots, or throws 429; returns the (idempotent) release */
  claim(clientId: string): () => void {
    const used = this.perClient.get(clientId) ?? 0;
    if (used >= this.maxPerClient) {
      throw new ApiError(429, ApiErrorCode.rateLimited, `at most ${this.maxPerClient} live-event connections per client; close one first`);
    }
    this.perClient.set(clientId, used + 1);
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      const n = (this.perClient.get(clientId) ?? 1) - 1;
      if (n <= 0) this.perClient.delete(clientId);
      else this.perClient.set(clientId, n);
    };
  }
}
